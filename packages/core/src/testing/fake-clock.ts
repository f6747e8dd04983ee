import type { Clock } from '../util/clock.js';

interface Sleeper {
  at: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A clock that moves only when told: pass it to a memory or file-system
 * store and `advance` a year of delays, leases and schedules in milliseconds.
 *
 * @example
 * const clock = new FakeClock();
 * const store = new MemoryDocumentProvider({ clock });
 * await clock.advance(60_000);
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  /** @param start epoch ms to start at. @default 2026-01-01T00:00:00Z */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', sleeper.onAbort, { once: true });
      this.sleepers.push(sleeper);
      if (ms <= 0) this.wakeDue();
    });
  }

  /** Moves time forward by `ms`, waking every sleeper due by then (in order), and lets them run. */
  async advance(ms: number): Promise<void> {
    await this.set(this.current + ms);
  }

  /** Moves time to `epochMs` (never backwards) and wakes due sleepers. */
  async set(epochMs: number): Promise<void> {
    this.current = Math.max(this.current, epochMs);
    this.wakeDue();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.at <= this.current).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.current);
    for (const s of due) {
      s.signal?.removeEventListener('abort', s.onAbort);
      s.resolve();
    }
  }
}
