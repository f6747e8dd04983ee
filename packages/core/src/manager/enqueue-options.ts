import { v7 as uuidv7 } from 'uuid';
import { type Backoff, DEFAULT_BACKOFF, toStoredBackoff } from '../callbacks/backoff.js';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import { InvalidInputError } from '../errors.js';
import { checkParentFailurePolicy, checkParentIds } from '../flow/continuation-options.js';
import {
  checkConcurrencyLimit,
  checkFlowKey,
  checkRateLimit,
  type RateLimit,
} from '../model/flow-control.js';
import { INPUT_LIMITS } from '../model/input-limits.js';
import type { NewJob, ParentFailurePolicy, StoredBackoff } from '../model/job.js';
import { assertJson, type JsonValue, unstorableText } from '../model/json.js';
import { checkLabels } from '../model/labels.js';
import { checkTraceCarrier, type TraceCarrier } from '../model/trace.js';

/** Options for one enqueue; each wins over the callback's static default. */
export interface EnqueueOptions {
  /** Run at this time (a Date or epoch ms on the store's clock). Wins over `delayMs`. */
  runAt?: Date | number;
  /** Run this long after now. @default 0 */
  delayMs?: number;
  /** Higher runs first; a 32-bit integer. @default the callback's static priority, else 0 */
  priority?: number;
  /**
   * Idempotency key: while a job with this key is in the store (any status,
   * until retention prunes it) enqueueing again returns that job with
   * `created: false`. 1–512 characters.
   */
  key?: string;
  /** Attempts in all. @default the callback's static maxAttempts, else 3 */
  maxAttempts?: number;
  /** Retry policy (a function only as a callback's static). @default exponential from 1 s */
  backoff?: Exclude<Backoff, (...args: never[]) => unknown>;
  /** Per-attempt time limit in ms. @default the callback's static timeoutMs, else none */
  timeoutMs?: number;
  /**
   * The W3C trace context to carry with the job (instrumentation such as
   * `@jobservice/opentelemetry` sets it for you); each attempt's span
   * continues it. @default none
   */
  trace?: TraceCarrier;
  /**
   * Labels for finding the job again (`manager.list({ labels })`): string
   * pairs, at most `LABEL_LIMITS.count`, keys of letters, digits and
   * `_ . : / -` up to 64 characters, values up to 256.
   */
  labels?: Record<string, string>;
  /**
   * Run after these jobs (ids of jobs in the store, at most 100): the job is
   * `waiting` until every one has ended, then `scheduled` — or `cancelled`
   * unrun when one failed or was cancelled and `onParentFailure` is `cancel`.
   * Its handler reads how they ended with `ctx.parents()`.
   */
  after?: string[];
  /** With `after`: what a failed or cancelled parent does to this job. @default 'cancel' */
  onParentFailure?: ParentFailurePolicy;
  /**
   * Concurrency key (1–200 characters, e.g. `tenant:42`): at most
   * `concurrencyLimit` jobs with this key run at once across every worker on
   * the store; the others wait, due, and start as soon as a slot frees.
   * With limit 1 it is Quartz's `[DisallowConcurrentExecution]` per key.
   */
  concurrencyKey?: string;
  /** With `concurrencyKey`: how many of its jobs may run at once (1–10,000). @default 1 */
  concurrencyLimit?: number;
  /**
   * At most `max` jobs with this `key` start in any `perMs` window of the
   * store's clock, across every worker; a job over it waits with its due
   * time moved to when the window has room. @default the callback's static `rateLimit`, else none
   */
  rateLimit?: RateLimit;
  /**
   * A store transaction handle (PostgreSQL: a `pg` client inside `BEGIN`):
   * the job exists if and only if that transaction commits.
   */
  transaction?: unknown;
}

/** Manager-wide defaults, below the callback's statics and the per-call options. */
export interface JobDefaults {
  /** @default 3 */
  maxAttempts?: number;
  /** @default exponential from 1 s, cap 1 h, ±20 % jitter */
  backoff?: Backoff;
  /** @default none */
  timeoutMs?: number;
}

const MAX_KEY_LENGTH = INPUT_LIMITS.keyLength;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Validates one enqueue and builds the {@link NewJob} to insert. Throws an
 * {@link InvalidInputError} naming the field; nothing is written then.
 */
export function buildNewJob(
  name: string,
  metadata: unknown,
  options: EnqueueOptions,
  callback: JobCallbackClass | undefined,
  defaults: JobDefaults,
): NewJob {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', 'must be an object of enqueue options, or omitted');
  }
  assertJson(metadata, 'metadata');
  const job: NewJob = {
    id: uuidv7(),
    name,
    metadata: metadata as JsonValue,
    priority: int32(options.priority ?? callback?.priority ?? 0, 'options.priority'),
    maxAttempts: attempts(options.maxAttempts ?? callback?.maxAttempts ?? defaults.maxAttempts ?? 3),
    backoff: storedBackoff(options.backoff, callback?.backoff, defaults.backoff),
    timeoutMs: timeout(options.timeoutMs ?? callback?.timeoutMs ?? defaults.timeoutMs),
    key: key(options.key),
  };
  const trace = checkTraceCarrier(options.trace, 'options.trace');
  if (trace !== null) job.trace = trace;
  const labels = checkLabels(options.labels, 'options.labels');
  if (Object.keys(labels).length > 0) job.labels = labels;
  const parents = checkParentIds(options.after, 'options.after');
  if (parents) job.parents = parents;
  const policy = checkParentFailurePolicy(
    options.onParentFailure,
    parents !== undefined,
    'options.onParentFailure',
  );
  if (policy) job.onParentFailure = policy;
  applyFlowControl(job, options, callback);
  if (options.runAt !== undefined) job.runAt = runAt(options.runAt);
  else if (options.delayMs !== undefined) job.delayMs = delay(options.delayMs);
  return job;
}

function storedBackoff(
  fromOptions: Backoff | undefined,
  fromCallback: Backoff | undefined,
  fromDefaults: Backoff | undefined,
): StoredBackoff {
  if (fromOptions !== undefined) {
    if (typeof fromOptions === 'function') {
      throw new InvalidInputError(
        'options.backoff',
        'a function cannot be stored with the job; declare it as the callback class’s static backoff',
      );
    }
    return toStoredBackoff(fromOptions, 'options.backoff');
  }
  if (fromCallback !== undefined) return toStoredBackoff(fromCallback, 'callback.backoff');
  if (fromDefaults !== undefined) return toStoredBackoff(fromDefaults, 'defaults.backoff');
  return DEFAULT_BACKOFF;
}

function int32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new InvalidInputError(
      field,
      `must be a whole number between ${INT32_MIN} and ${INT32_MAX}, got ${String(value)}`,
    );
  }
  return value;
}

function attempts(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new InvalidInputError('options.maxAttempts', `must be a whole number from 1, got ${String(value)}`);
  }
  return value;
}

function timeout(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > INPUT_LIMITS.maxTimeoutMs
  ) {
    throw new InvalidInputError(
      'options.timeoutMs',
      `must be a positive number of milliseconds up to ${INPUT_LIMITS.maxTimeoutMs} (100 years), got ${String(value)}`,
    );
  }
  return Math.ceil(value);
}

function key(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_KEY_LENGTH ||
    unstorableText(value)
  ) {
    throw new InvalidInputError(
      'options.key',
      `must be a string of 1–${MAX_KEY_LENGTH} characters without NUL or lone UTF-16 surrogates, got ${describeKey(value)}`,
    );
  }
  return value;
}

function describeKey(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  if (value.length === 0) return 'an empty string';
  if (value.length > MAX_KEY_LENGTH) return `${value.length} characters`;
  return `a key that ${unstorableText(value)}`;
}

function runAt(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > INPUT_LIMITS.maxRunAt) {
    throw new InvalidInputError(
      'options.runAt',
      `must be a valid Date or epoch milliseconds between 1970 and the end of 9999, got ${String(value)}`,
    );
  }
  return Math.round(ms);
}

function delay(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > INPUT_LIMITS.maxDelayMs) {
    throw new InvalidInputError(
      'options.delayMs',
      `must be a number of milliseconds from 0 to ${INPUT_LIMITS.maxDelayMs} (100 years), got ${String(value)}`,
    );
  }
  return Math.round(value);
}

/** Stores the job's concurrency key and rate limit (options over the callback's static). */
function applyFlowControl(
  job: NewJob,
  options: EnqueueOptions,
  callback: JobCallbackClass | undefined,
): void {
  if (options.concurrencyKey !== undefined) {
    job.concurrencyKey = checkFlowKey(options.concurrencyKey, 'options.concurrencyKey');
    job.concurrencyLimit =
      options.concurrencyLimit === undefined
        ? 1
        : checkConcurrencyLimit(options.concurrencyLimit, 'options.concurrencyLimit');
  } else if (options.concurrencyLimit !== undefined) {
    throw new InvalidInputError(
      'options.concurrencyLimit',
      'limits the jobs of a concurrency key: pass options.concurrencyKey with it',
    );
  }
  if (options.rateLimit !== undefined) {
    job.rateLimit = checkRateLimit(options.rateLimit, 'options.rateLimit');
  } else if (callback?.rateLimit !== undefined) {
    job.rateLimit = checkRateLimit(
      { key: job.name, ...callback.rateLimit },
      `${callback.name || job.name}.rateLimit`,
    );
  }
}
