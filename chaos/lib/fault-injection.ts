/**
 * A fault-injecting wrapper around any store and queue: while switched on,
 * a fraction of calls throw and some hang past the lease before going
 * through. The wrapped objects keep exactly the inner object's optional
 * capabilities (absent methods stay absent).
 */
import type { IDocumentDataProvider, IQueueProvider } from '@jobservice/core';
import { sleep } from './util.js';

/** How often calls fail or hang while faults are on. */
export interface FaultPlan {
  /** Fraction of calls that throw at once. */
  failRate: number;
  /** Fraction of calls that wait `hangMs` before they reach the inner object. */
  hangRate: number;
  hangMs: number;
}

/** Turns faults on and off for every wrapper made with it, and counts what it did. */
export class FaultSwitch {
  enabled = false;
  readonly counts = { calls: 0, thrown: 0, hung: 0 };
  /** Calls per method while enabled, with their wall times (claims are checked for backoff). */
  readonly callTimes = new Map<string, number[]>();

  constructor(readonly plan: FaultPlan) {}

  /** Decides the fate of one call. */
  async gate(method: string): Promise<void> {
    if (!this.enabled) return;
    this.counts.calls++;
    const times = this.callTimes.get(method) ?? [];
    times.push(Date.now());
    this.callTimes.set(method, times);
    const roll = Math.random();
    if (roll < this.plan.failRate) {
      this.counts.thrown++;
      throw new Error(`chaos: injected fault in ${method}`);
    }
    if (roll < this.plan.failRate + this.plan.hangRate) {
      this.counts.hung++;
      await sleep(this.plan.hangMs);
    }
  }
}

const PASS_THROUGH = new Set(['close', 'providerName', 'then', 'constructor']);

function wrap<T extends object>(inner: T, faults: FaultSwitch, prefix: string): T {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || PASS_THROUGH.has(property)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        await faults.gate(`${prefix}.${property}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** `store` with faults from `faults` on every method but `close`. */
export function faultyStore(store: IDocumentDataProvider, faults: FaultSwitch): IDocumentDataProvider {
  return wrap(store, faults, 'store');
}

/** `queue` with faults from `faults` on `enqueue` and `subscribe`. */
export function faultyQueue(queue: IQueueProvider, faults: FaultSwitch): IQueueProvider {
  return wrap(queue, faults, 'queue');
}
