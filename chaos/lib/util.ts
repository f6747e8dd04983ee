/** Small bounded helpers: sleeps, timeouts, polls, statistics. */

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The outcome of {@link withTimeout} when the call did not settle in time. */
export const TIMED_OUT = Symbol('timed out');

/** Races `promise` against `ms`; resolves with {@link TIMED_OUT} when time runs out (the call is left behind). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every `everyMs` until it returns true or `timeoutMs` passes.
 * @returns whether the condition held before the deadline
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** A whole number in [min, max]. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** The `p` quantile (0..1) of `values` (nearest rank), or `null` when empty. */
export function quantile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] as number;
}

/** `1,234` style. */
export function fmt(n: number | null): string {
  return n === null ? '—' : Math.round(n).toLocaleString('en-US');
}

/** A short error description: code (when a JobServiceError) and message. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; name?: unknown };
    const code = typeof e.code === 'string' ? `${e.code} ` : '';
    return `${code}${String(e.message ?? e.name ?? error)}`.slice(0, 200);
  }
  return String(error).slice(0, 200);
}
