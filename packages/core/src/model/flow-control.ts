/**
 * Flow control stored on a job: a concurrency key (at most `limit` running
 * jobs per key across every worker on the store) and a rate limit (at most
 * `max` starts per `perMs` window per key). Both are set at enqueue and
 * never change; the store enforces them inside its claim.
 */
import { InvalidInputError } from '../errors.js';

/** At most `max` jobs with this `key` start in any `perMs` window of the store's clock. */
export interface RateLimit {
  /** The limit's key: jobs sharing it share the window (1–200 characters). */
  key: string;
  /** Starts allowed per window: a whole number, 1–10,000. */
  max: number;
  /** The window, ms: a whole number, 1 ms to 1 day. */
  perMs: number;
}

/** The documented bounds of flow-control inputs; a value outside is an `InvalidInputError`. */
export const FLOW_LIMITS = {
  /** Longest concurrency or rate-limit key, in characters. */
  keyLength: 200,
  /** Largest `concurrencyLimit` and `maxParallelism`. */
  maxConcurrency: 10_000,
  /** Largest `rateLimit.max`. */
  maxRate: 10_000,
  /** Shortest `rateLimit.perMs`. */
  minWindowMs: 1,
  /** Longest `rateLimit.perMs`: one day. */
  maxWindowMs: 86_400_000,
} as const;

/** A whole number in `min…max`, or an `InvalidInputError` naming `field`. */
export function checkWholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      field,
      `must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got ${describe(value)}`,
    );
  }
  return value;
}

/** A flow-control key: a non-empty string of at most `FLOW_LIMITS.keyLength` characters. */
export function checkFlowKey(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > FLOW_LIMITS.keyLength) {
    throw new InvalidInputError(
      field,
      `must be a string of 1 to ${FLOW_LIMITS.keyLength} characters, got ${describe(value)}`,
    );
  }
  if (value.includes('\u0000')) throw new InvalidInputError(field, 'must not contain NUL characters');
  return value;
}

/** A concurrency limit: a whole number, 1–`FLOW_LIMITS.maxConcurrency`. */
export function checkConcurrencyLimit(value: unknown, field: string): number {
  return checkWholeNumber(value, field, 1, FLOW_LIMITS.maxConcurrency);
}

/** A validated copy of a rate limit (fields named under `field`). */
export function checkRateLimit(value: unknown, field: string): RateLimit {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(field, 'must be an object { key, max, perMs }');
  }
  const limit = value as Record<string, unknown>;
  return {
    key: checkFlowKey(limit.key, `${field}.key`),
    max: checkWholeNumber(limit.max, `${field}.max`, 1, FLOW_LIMITS.maxRate),
    perMs: checkWholeNumber(limit.perMs, `${field}.perMs`, FLOW_LIMITS.minWindowMs, FLOW_LIMITS.maxWindowMs),
  };
}

/**
 * Sliding-window arithmetic over the newest starts of one rate-limit key
 * (ascending store times, at most `max` kept). A start is allowed at `now`
 * when fewer than `max` of them fall in `(now − perMs, now]`.
 */
export const rateWindow = {
  /** The starts still inside the window that ends at `now`, oldest first. */
  live(starts: readonly number[], now: number, perMs: number): number[] {
    return starts.filter((t) => t > now - perMs);
  },
  /** How many more starts the window allows at `now`. */
  room(starts: readonly number[], now: number, limit: RateLimit): number {
    return Math.max(0, limit.max - rateWindow.live(starts, now, limit.perMs).length);
  },
  /**
   * The first time a start is allowed again: when the oldest of the newest
   * `max` starts leaves the window (or `now` when there is room).
   */
  nextStart(starts: readonly number[], now: number, limit: RateLimit): number {
    const live = rateWindow.live(starts, now, limit.perMs);
    if (live.length < limit.max) return now;
    return (live[live.length - limit.max] as number) + limit.perMs;
  },
  /** `starts` with `added` appended, keeping the newest `max`. */
  record(starts: readonly number[], added: readonly number[], limit: RateLimit): number[] {
    const next = [...starts, ...added];
    return next.length > limit.max ? next.slice(next.length - limit.max) : next;
  },
};

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
