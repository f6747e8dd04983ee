/**
 * Glossary
 * - **job**: one unit of work: a callback name plus JSON metadata, stored as a
 *   {@link JobDocument}. Every attempt of a job runs the same document.
 * - **callback**: the code that runs a job, a class extending
 *   `BaseJobCallback` labelled with `@JobCallbackName('…')`; a new instance
 *   per attempt.
 * - **schedule**: a recurring trigger (cron, interval, one-off) that inserts
 *   jobs; stored as a {@link ScheduleDocument}.
 * - **store** (`IDocumentDataProvider`): the ledger: the truth about every job.
 *   Every state change is a guarded write (compare-and-set).
 * - **queue** (`IQueueProvider`): the doorbell: carries job ids to wake
 *   workers. It may ring twice, late, or never; correctness never depends on it.
 * - **dispatcher** (`JobDispatcher`): the loop in a worker process that claims
 *   due jobs from the store and runs their callbacks.
 * - **lease**: a claim's time-limited ownership of a running job, identified by
 *   a `leaseToken` that grows with every claim; every worker write is fenced
 *   by it.
 * - **attempt**: one run of a job. Counted in a durable write before its
 *   handler starts: in the claim write for jobs claimed into free slots, in a
 *   fenced `start` write for jobs a worker *reserved* (prefetched) and starts
 *   later. A reserved job that is handed back or recovered spends no attempt.
 */
import type { RateLimit } from './flow-control.js';
import type { JobLogEntry } from './job-log.js';
import type { JsonValue } from './json.js';
import type { JobLabels } from './labels.js';
import type { TraceCarrier } from './trace.js';

/**
 * Where a job is in its life. `waiting`: a continuation whose parents have
 * not all ended (never claimable). Terminal: `completed`, `failed`, `cancelled`.
 */
export type JobStatus = 'waiting' | 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every status, in lifecycle order. */
export const JOB_STATUSES: readonly JobStatus[] = [
  'waiting',
  'scheduled',
  'running',
  'completed',
  'failed',
  'cancelled',
];

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** True for `completed`, `failed` and `cancelled`. */
export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * What a continuation does when one of its parents ends `failed` or
 * `cancelled` (or was deleted): `cancel` ends it `cancelled` unrun, `run`
 * runs it anyway (its `ctx.parents()` shows how each parent ended).
 */
export type ParentFailurePolicy = 'cancel' | 'run';

/**
 * The stored retry delay policy (JSON, so another process can apply it).
 * `custom` means "ask the callback class's static `backoff` function".
 */
export type StoredBackoff =
  | { type: 'fixed'; delayMs: number }
  | { type: 'exponential'; baseMs: number; maxMs: number; jitter: number }
  | { type: 'custom' };

/** Why an attempt or a job failed. */
export interface JobError {
  /** The error message (or the reason given to `JobExecutionResult.fail/retry`). */
  message: string;
  /** The error's `name` or `code`, when it had one. */
  name?: string;
  /** The stack, when the error had one. */
  stack?: string;
}

/**
 * How an attempt ended: its handler succeeded, failed (the job retries or
 * fails), was cancelled, or its worker lost the lease (died, or was cut off).
 */
export type HistoryOutcome = 'completed' | 'failed' | 'cancelled' | 'lease-expired';

/** One attempt (one run of the handler), as kept in {@link JobDocument.history}. */
export interface AttemptRecord {
  /** The attempt's number (1 for the first run). */
  attempt: number;
  /**
   * How it ended. Records written before attempt outcomes were kept (failed
   * attempts only, from stores created by an earlier version) have none.
   */
  outcome?: HistoryOutcome;
  /** When it started (store clock, epoch ms); `null` when unknown. */
  startedAt?: number | null;
  /** The worker that ran it; `null` when unknown. */
  workerId?: string | null;
  /** Why it did not succeed; `null` for a completed attempt. */
  error: JobError | null;
  /** When it ended (store clock, epoch ms). */
  at: number;
}

/** How many attempts a job's {@link JobDocument.history} keeps (the newest). */
export const HISTORY_LIMIT = 10;

/** `history` with `record` appended, keeping the newest {@link HISTORY_LIMIT}. */
export function appendHistory(history: readonly AttemptRecord[], record: AttemptRecord): AttemptRecord[] {
  const next =
    history.length >= HISTORY_LIMIT ? history.slice(history.length - HISTORY_LIMIT + 1) : [...history];
  next.push(record);
  return next;
}

/**
 * One job, as the store keeps it. Times are epoch milliseconds on the store's
 * clock (`store.now()`).
 */
export interface JobDocument<TMetadata extends JsonValue = JsonValue> {
  /** UUID v7: sorts by creation time. */
  id: string;
  /** The callback name (`@JobCallbackName`). */
  name: string;
  /** The callback's input. */
  metadata: TMetadata;
  status: JobStatus;
  /** Higher runs first; default 0. */
  priority: number;
  /** Not claimed before this time. */
  runAt: number;
  /** Attempts started so far: counted before each run's handler starts, never for a reserved job. */
  attempt: number;
  /** Attempts allowed in all; the job fails when the last one fails. */
  maxAttempts: number;
  /** The effective retry policy. */
  backoff: StoredBackoff;
  /** Per-attempt time limit; `null` for none. */
  timeoutMs: number | null;
  /** Idempotency key: unique among the store's jobs; `null` for none. */
  key: string | null;
  /** Grows by one at every claim; fences every worker write. 0 before the first claim. */
  leaseToken: number;
  /** When the current lease lapses; `null` unless running. */
  leaseExpiresAt: number | null;
  /** The worker holding the lease; `null` unless running. */
  workerId: string | null;
  /**
   * Leased (`running`) but not started: a worker prefetched it and has not
   * begun its handler, so no attempt is counted yet. A `start` settlement
   * counts the attempt and clears it; a release or a recovery hands the job
   * back uncounted. Always `false` unless `running`.
   */
  reserved: boolean;
  /** A cancel was asked for while the job was running. */
  cancelRequested: boolean;
  /** The previous attempt's lease expired (its worker died or was cut off). */
  recovering: boolean;
  /** The last progress the callback reported. */
  progress: JsonValue | null;
  /** The callback's output on success. */
  result: JsonValue | null;
  /** The current failure: the last attempt's error while scheduled again or failed; `null` once completed. */
  error: JobError | null;
  /**
   * The attempts that ran (start, end, worker, outcome, error), oldest
   * first, the newest {@link HISTORY_LIMIT} kept. A job that succeeded on
   * its first attempt has none: that attempt is its `startedAt`–`finishedAt`.
   */
  history: AttemptRecord[];
  /**
   * The newest lines its callbacks logged with `ctx.log` (oldest first,
   * `LOG_LIMITS.keep` kept). Stores return it (`[]` for none);
   * `manager.get` leaves it out unless asked with `include: ['logs']`.
   */
  logs?: JobLogEntry[];
  /** The schedule that fired this job, if any. */
  scheduleId: string | null;
  /** The trace the enqueue ran in (W3C Trace Context), set at insert and never changed; `null` for none. */
  trace: TraceCarrier | null;
  /** Labels for finding the job (`list({ labels })`), set at insert and never changed; `{}` for none. */
  labels: JobLabels;
  /**
   * The jobs this one runs after (a continuation), set at insert and never
   * changed; `[]` for none. While any of them has not ended the job is `waiting`.
   */
  parents: string[];
  /** What happens when a parent fails or is cancelled; `cancel` for a job without parents. */
  onParentFailure: ParentFailurePolicy;
  /**
   * Concurrency key, set at insert and never changed: at most
   * `concurrencyLimit` jobs with this key are `running` at once across every
   * worker on the store (the others wait, due). `null` for none.
   */
  concurrencyKey: string | null;
  /** With `concurrencyKey`: how many of its jobs may run at once; `null` without a key. */
  concurrencyLimit: number | null;
  /**
   * Rate limit, set at insert and never changed: at most `max` jobs with its
   * key start in any `perMs` window of the store's clock; a job over it
   * waits with `runAt` moved to when the window has room. `null` for none.
   */
  rateLimit: RateLimit | null;
  createdAt: number;
  updatedAt: number;
  /** When the current or last attempt started. */
  startedAt: number | null;
  /** When the job reached a terminal status. */
  finishedAt: number | null;
  /** Grows by one with every write; the compare-and-set guard. */
  version: number;
}

/**
 * What a producer decides about a new job; the store fills in the rest
 * (status `scheduled`, attempt 0, timestamps, version 1).
 */
export interface NewJob<TMetadata extends JsonValue = JsonValue> {
  id: string;
  name: string;
  metadata: TMetadata;
  priority: number;
  /** Absolute due time on the store's clock; wins over `delayMs`. */
  runAt?: number;
  /** Due this long after the store's `now()`; 0 when neither is given. */
  delayMs?: number;
  maxAttempts: number;
  backoff: StoredBackoff;
  timeoutMs: number | null;
  key: string | null;
  scheduleId?: string | null;
  /** The producer's trace context; `null` or absent for none. */
  trace?: TraceCarrier | null;
  /** Labels (checked by `checkLabels`); absent or `{}` for none. */
  labels?: JobLabels;
  /** Parents (a continuation: inserted `waiting`); absent or `[]` for none. */
  parents?: string[];
  /** @default 'cancel' */
  onParentFailure?: ParentFailurePolicy;
  /** Concurrency key (checked by core); absent or `null` for none. */
  concurrencyKey?: string | null;
  /** With `concurrencyKey`: running jobs allowed per key. @default 1 */
  concurrencyLimit?: number | null;
  /** Rate limit (checked by core); absent or `null` for none. */
  rateLimit?: RateLimit | null;
}

/** The outcome of an insert. */
export interface InsertResult {
  /** The new job's id, or the existing job's when its key was taken. */
  id: string;
  /** False when a job with the same key already existed (nothing was written). */
  created: boolean;
}

/** Fields a compare-and-set update may change. */
export type JobPatch = Partial<
  Omit<
    JobDocument,
    | 'id'
    | 'name'
    | 'key'
    | 'trace'
    | 'labels'
    | 'parents'
    | 'onParentFailure'
    | 'concurrencyKey'
    | 'concurrencyLimit'
    | 'rateLimit'
    | 'createdAt'
    | 'updatedAt'
    | 'version'
  >
>;

/** Builds the stored document for a {@link NewJob} at store time `now`. */
export function materializeJob(job: NewJob, now: number): JobDocument {
  return {
    id: job.id,
    name: job.name,
    metadata: job.metadata,
    status: job.parents && job.parents.length > 0 ? 'waiting' : 'scheduled',
    priority: job.priority,
    runAt: job.runAt ?? now + (job.delayMs ?? 0),
    attempt: 0,
    maxAttempts: job.maxAttempts,
    backoff: job.backoff,
    timeoutMs: job.timeoutMs,
    key: job.key,
    leaseToken: 0,
    leaseExpiresAt: null,
    workerId: null,
    reserved: false,
    cancelRequested: false,
    recovering: false,
    progress: null,
    result: null,
    error: null,
    history: [],
    logs: [],
    scheduleId: job.scheduleId ?? null,
    trace: job.trace ?? null,
    labels: job.labels ?? {},
    parents: job.parents ?? [],
    onParentFailure: job.onParentFailure ?? 'cancel',
    concurrencyKey: job.concurrencyKey ?? null,
    concurrencyLimit: job.concurrencyKey ? (job.concurrencyLimit ?? 1) : null,
    rateLimit: job.rateLimit ?? null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
    version: 1,
  };
}

/**
 * Claim order: priority descending, then `runAt`, then id (UUID v7, so
 * enqueue order). Negative when `a` runs first.
 */
export function compareClaimOrder(
  a: Pick<JobDocument, 'priority' | 'runAt' | 'id'>,
  b: Pick<JobDocument, 'priority' | 'runAt' | 'id'>,
): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.runAt !== b.runAt) return a.runAt - b.runAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The document after a compare-and-set write: `patch` applied over `job`,
 * `version + 1`, `updatedAt = now`. A store's `update` should build its
 * stored document with this (rather than `{ ...job, ...patch }`): a field
 * that is `undefined` in the patch means "unchanged" — a spread would
 * overwrite it with `undefined` — and `id`, `name`, `key`, `trace`, `labels`, `parents`,
 * `onParentFailure`, the flow-control fields, `createdAt` stay
 * as they were. Built field by field so every document has one shape (fast
 * property access on hot paths).
 */
export function applyJobPatch(job: JobDocument, patch: JobPatch, now: number): JobDocument {
  return {
    id: job.id,
    name: job.name,
    metadata: patch.metadata !== undefined ? patch.metadata : job.metadata,
    status: patch.status !== undefined ? patch.status : job.status,
    priority: patch.priority !== undefined ? patch.priority : job.priority,
    runAt: patch.runAt !== undefined ? patch.runAt : job.runAt,
    attempt: patch.attempt !== undefined ? patch.attempt : job.attempt,
    maxAttempts: patch.maxAttempts !== undefined ? patch.maxAttempts : job.maxAttempts,
    backoff: patch.backoff !== undefined ? patch.backoff : job.backoff,
    timeoutMs: patch.timeoutMs !== undefined ? patch.timeoutMs : job.timeoutMs,
    key: job.key,
    leaseToken: patch.leaseToken !== undefined ? patch.leaseToken : job.leaseToken,
    leaseExpiresAt: patch.leaseExpiresAt !== undefined ? patch.leaseExpiresAt : job.leaseExpiresAt,
    workerId: patch.workerId !== undefined ? patch.workerId : job.workerId,
    reserved: patch.reserved !== undefined ? patch.reserved : job.reserved,
    cancelRequested: patch.cancelRequested !== undefined ? patch.cancelRequested : job.cancelRequested,
    recovering: patch.recovering !== undefined ? patch.recovering : job.recovering,
    progress: patch.progress !== undefined ? patch.progress : job.progress,
    result: patch.result !== undefined ? patch.result : job.result,
    error: patch.error !== undefined ? patch.error : job.error,
    history: patch.history !== undefined ? patch.history : job.history,
    logs: patch.logs !== undefined ? patch.logs : job.logs,
    scheduleId: patch.scheduleId !== undefined ? patch.scheduleId : job.scheduleId,
    trace: job.trace,
    labels: job.labels,
    parents: job.parents,
    onParentFailure: job.onParentFailure,
    concurrencyKey: job.concurrencyKey,
    concurrencyLimit: job.concurrencyLimit,
    rateLimit: job.rateLimit,
    createdAt: job.createdAt,
    updatedAt: now,
    startedAt: patch.startedAt !== undefined ? patch.startedAt : job.startedAt,
    finishedAt: patch.finishedAt !== undefined ? patch.finishedAt : job.finishedAt,
    version: job.version + 1,
  };
}
