import { InvalidInputError } from '../errors.js';
import type { StoredBackoff } from '../model/job.js';

/** A retry delay function: attempt number (1 = the first attempt failed) → delay in ms. */
export type BackoffFunction = (attempt: number, error: unknown) => number;

/**
 * How long to wait before the next attempt.
 * - `{ type: 'fixed', delayMs }`
 * - `{ type: 'exponential', baseMs, maxMs?, jitter? }`: `baseMs * 2^(attempt-1)`,
 *   capped at `maxMs` (default 1 h), spread by ±`jitter` (0–1, default 0.2)
 * - a {@link BackoffFunction} (static on a callback class only: functions are
 *   not stored, so every worker must have the class)
 */
export type Backoff =
  | { type: 'fixed'; delayMs: number }
  | { type: 'exponential'; baseMs: number; maxMs?: number; jitter?: number }
  | BackoffFunction;

/** The default policy: exponential from 1 s, capped at 1 h, ±20 % jitter. */
export const DEFAULT_BACKOFF: StoredBackoff = {
  type: 'exponential',
  baseMs: 1000,
  maxMs: 3_600_000,
  jitter: 0.2,
};

/** Validates a backoff and turns it into its stored (JSON) form. */
export function toStoredBackoff(backoff: Backoff, field: string): StoredBackoff {
  if (typeof backoff === 'function') return { type: 'custom' };
  if (backoff?.type === 'fixed') {
    assertDelay(backoff.delayMs, `${field}.delayMs`);
    return { type: 'fixed', delayMs: backoff.delayMs };
  }
  if (backoff?.type === 'exponential') {
    assertDelay(backoff.baseMs, `${field}.baseMs`);
    const maxMs = backoff.maxMs ?? 3_600_000;
    assertDelay(maxMs, `${field}.maxMs`);
    const jitter = backoff.jitter ?? 0.2;
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new InvalidInputError(`${field}.jitter`, `must be between 0 and 1, got ${jitter}`);
    }
    return { type: 'exponential', baseMs: backoff.baseMs, maxMs, jitter };
  }
  throw new InvalidInputError(
    field,
    "must be { type: 'fixed', delayMs }, { type: 'exponential', baseMs, maxMs?, jitter? } or a function",
  );
}

/**
 * The delay before the next attempt after `attempt` failed. `custom` asks
 * `fn` (the callback's static backoff); without one it falls back to the
 * default exponential policy.
 */
export function computeBackoffDelay(
  policy: StoredBackoff,
  attempt: number,
  error: unknown,
  fn?: BackoffFunction,
  random: () => number = Math.random,
): number {
  switch (policy.type) {
    case 'fixed':
      return policy.delayMs;
    case 'custom':
      return fn ? Math.max(0, fn(attempt, error)) : computeBackoffDelay(DEFAULT_BACKOFF, attempt, error);
    case 'exponential': {
      const raw = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
      const spread = raw * policy.jitter * (random() * 2 - 1);
      return Math.max(0, Math.round(Math.min(policy.maxMs, raw + spread)));
    }
  }
}

function assertDelay(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(field, `must be a finite number of milliseconds ≥ 0, got ${String(value)}`);
  }
}
