import { performance } from 'node:perf_hooks';
import { clampTimerDelay } from './timer-limit.js';
/**
 * A source of time and sleeps. Stores own time (`store.now()`); a memory or
 * file-system store takes a Clock so tests can move time with `FakeClock`.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's wall clock and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => abortableDelay(ms, signal),
};

/** `setTimeout` as a promise that an `AbortSignal` cuts short (rejecting). */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    // Past the timer limit, wait in steps so a far-future sleep stays one sleep.
    const until = performance.now() + Math.max(0, ms);
    const wake = () => {
      const left = until - performance.now();
      if (left > 1) {
        timer = setTimeout(wake, clampTimerDelay(left));
        return;
      }
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    let timer = setTimeout(wake, clampTimerDelay(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
