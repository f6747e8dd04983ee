import { Heap } from '../util/heap.js';
import { clampTimerDelay } from '../util/timer-limit.js';
import { decodeBells, RESYNC_BELL_ID } from './bell-payload.js';
import type { Bell, BellHandler, QueueSubscription, SubscribeOptions } from './queue-provider.js';

interface Subscriber {
  handler: BellHandler;
  names: ReadonlySet<string> | undefined;
}

interface HeldBell {
  bell: Bell;
  at: number;
}

/** Most bells held for a later `notBefore` in one process; beyond it they are dropped (the idle claim covers). */
const MAX_HELD = 100_000;

/** How a {@link LocalDoorbell} reaches its provider's broadcast channel. */
export interface DoorbellHooks {
  /** Starts listening (resolves once live); called when the first subscriber joins. */
  listen(): Promise<void>;
  /** Stops listening; called when the last subscriber leaves. */
  unlisten(): Promise<void>;
  /** A handler threw. */
  error(error: unknown): void;
}

/**
 * The receiving side of a broadcast doorbell (PostgreSQL NOTIFY, Redis
 * pub/sub) in one process: hands each incoming bell to one matching
 * subscriber (round robin), holds bells whose `notBefore` is ahead on one
 * timer, and rings every matching subscriber with a resync bell (after the
 * listening connection was re-established, or when a payload carried one).
 * For provider authors: payloads are {@link encodeBells}' format.
 */
export class LocalDoorbell {
  private subscribers: Subscriber[] = [];
  private turn = 0;
  private readonly held = new Heap<HeldBell>(
    (a, b) => a.at < b.at || (a.at === b.at && (a.bell.priority ?? 0) > (b.bell.priority ?? 0)),
  );
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  private listening: Promise<void> | undefined;

  constructor(private readonly hooks: DoorbellHooks) {}

  /** Adds a handler; resolves once bells can reach it. */
  async subscribe(handler: BellHandler, options: SubscribeOptions = {}): Promise<QueueSubscription> {
    const subscriber: Subscriber = {
      handler,
      names: options.names ? new Set(options.names) : undefined,
    };
    this.subscribers.push(subscriber);
    try {
      this.listening ??= this.hooks.listen().catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
      await this.listening;
    } catch (error) {
      this.remove(subscriber);
      throw error;
    }
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        this.remove(subscriber);
        if (this.subscribers.length === 0 && this.listening) {
          this.listening = undefined;
          await this.hooks.unlisten();
        }
      },
    };
  }

  /** A payload in {@link encodeBells}' format arrived (anything else is ignored). */
  receive(payload: string): void {
    const bells = decodeBells(payload);
    if (!bells) return;
    const now = Date.now();
    for (const bell of bells) {
      if (bell.notBefore !== undefined && bell.notBefore > now) this.hold(bell, bell.notBefore);
      else this.deliver(bell);
    }
  }

  /** Notifications may have been missed: every subscriber gets a resync bell. */
  resync(): void {
    this.deliver({ id: RESYNC_BELL_ID });
  }

  /** Drops subscribers and held bells. */
  close(): void {
    this.subscribers = [];
    this.listening = undefined;
    clearTimeout(this.timer);
    this.held.clear();
  }

  private remove(subscriber: Subscriber): void {
    this.subscribers = this.subscribers.filter((s) => s !== subscriber);
  }

  private deliver(bell: Bell): void {
    const matching = this.subscribers.filter(
      (s) => !s.names || bell.name === undefined || s.names.has(bell.name),
    );
    if (matching.length === 0) return;
    if (bell.id === RESYNC_BELL_ID) {
      for (const s of matching) this.call(s, bell);
      return;
    }
    this.turn = (this.turn + 1) % 1_000_000_007;
    this.call(matching[this.turn % matching.length] as Subscriber, bell);
  }

  private call(subscriber: Subscriber, bell: Bell): void {
    try {
      const answered = subscriber.handler(bell);
      if (answered) answered.catch((error: unknown) => this.hooks.error(error));
    } catch (error) {
      this.hooks.error(error);
    }
  }

  private hold(bell: Bell, at: number): void {
    if (this.held.size >= MAX_HELD) return;
    this.held.push({ bell, at });
    if (at < this.timerAt) this.arm(at);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.releaseDue(), clampTimerDelay(at - Date.now()));
    this.timer.unref();
  }

  private releaseDue(): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let next = this.held.peek(); next && next.at <= now; next = this.held.peek()) {
      this.held.pop();
      this.deliver(next.bell);
    }
    const next = this.held.peek();
    if (next) this.arm(next.at);
  }
}
