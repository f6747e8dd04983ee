import { performance } from 'node:perf_hooks';

/**
 * One timer that fires at the earliest time it was asked for: the claim
 * loop's wake-up for jobs a claim deferred to a rate window that has not
 * opened yet.
 */
export class DeferredWake {
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (local `performance.now()` ms). */
  private at = Number.POSITIVE_INFINITY;

  constructor(private readonly fire: () => void) {}

  /** Fires `delayMs` from now, unless the pending timer fires sooner. */
  after(delayMs: number): void {
    const at = performance.now() + delayMs;
    if (this.timer !== undefined && this.at <= at) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Number.POSITIVE_INFINITY;
      this.fire();
    }, delayMs);
  }

  /** Cancels the pending timer. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
