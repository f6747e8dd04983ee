import { performance } from 'node:perf_hooks';
import { Heap } from '../util/heap.js';
import { clampTimerDelay } from '../util/timer-limit.js';
import type { Attempt } from './attempt.js';

/**
 * Per-attempt time limits with one timer for all of them: a heap of
 * deadlines and a single `setTimeout` armed for the earliest.
 */
export class TimeoutTimer {
  private readonly heap = new Heap<Attempt>((a, b) => a.timeoutAt < b.timeoutAt);
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly onTimeout: (attempt: Attempt) => void) {}

  /** Fires `onTimeout(attempt)` at local time `deadline` unless the attempt has settled by then. */
  add(attempt: Attempt, deadline: number): void {
    attempt.timeoutAt = deadline;
    this.heap.push(attempt);
    if (deadline < this.armedFor) this.arm();
  }

  /** Clears the timer. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.heap.clear();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const top = this.heap.peek();
    if (!top) {
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedFor = top.timeoutAt;
    this.timer = setTimeout(() => this.fire(), clampTimerDelay(top.timeoutAt - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    for (let top = this.heap.peek(); top && top.timeoutAt <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (!top.settled) this.onTimeout(top);
    }
    // Settled attempts need no timer: drop them from the top.
    while (this.heap.peek()?.settled) this.heap.pop();
    this.arm();
  }
}
