import type { InsertResult, JobDocument, JobError, JobPatch, JobStatus, NewJob } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { JobLabels } from '../model/labels.js';
import type { Bell } from '../queue/queue-provider.js';

/**
 * Filters for {@link IDocumentDataProvider.query}; all given filters must
 * match. An absent filter matches every job; an empty list (`statuses: []`,
 * `names: []`) matches none.
 */
export interface JobQuery {
  /** Any of these statuses (an empty list matches no job). */
  statuses?: readonly JobStatus[];
  /** Any of these callback names (an empty list matches no job). */
  names?: readonly string[];
  /** This idempotency key. */
  key?: string;
  /** Jobs holding every one of these labels (`{}` matches every job). */
  labels?: JobLabels;
  /** Fired by this schedule. */
  scheduleId?: string;
  /** Continuations of any of these jobs (`parents` holds one of them). */
  parentIds?: readonly string[];
  /** `runAt <= dueAt`. */
  dueAt?: number;
  /** `leaseExpiresAt < leaseExpiredAt` (a lease that has lapsed by then). */
  leaseExpiredAt?: number;
  /** `finishedAt < finishedBefore`. */
  finishedBefore?: number;
  /**
   * `id` (default): ascending id, i.e. enqueue order, pageable with `cursor`.
   * `claim`: priority descending, `runAt`, id — one page only (no cursor).
   */
  order?: 'id' | 'claim';
  /**
   * At most this many items. Any whole number ≥ 1 is honoured (there is no
   * cap in the contract; core asks for at most 500 at a time).
   * @default 100 (`DEFAULT_PAGE_SIZE`)
   */
  limit?: number;
  /** The `cursor` of the previous page (`order: 'id'` only). */
  cursor?: string | null;
}

/** One page of a query. */
export interface JobPage {
  items: JobDocument[];
  /**
   * Pass to the next query for the next page; `null` when this was the last.
   * Opaque to callers: the store chooses its format (memory, fs and
   * PostgreSQL use the last item's id, so the next page holds ids after it).
   */
  cursor: string | null;
}

/** Store-specific options for a write, passed through untouched by core. */
export interface WriteOptions {
  /**
   * A provider-specific transaction handle (PostgreSQL: a `pg` client inside
   * `BEGIN`), so the job is written if and only if the caller's transaction
   * commits. A store that has no transactions rejects a handle it was given.
   */
  transaction?: unknown;
}

/** Ask to lease up to `limit` due jobs for one worker. */
export interface ClaimRequest {
  /** Only jobs with these callback names (routing). */
  names: readonly string[];
  /** At most this many jobs. */
  limit: number;
  /** Written to `workerId`. */
  workerId: string;
  /** The lease lasts this long from the store's `now()`. */
  leaseMs: number;
  /**
   * How many of the claimed jobs start now: the first `start` in claim order
   * count their attempt in the claim write (`attempt + 1`, `startedAt =
   * now`); the rest are *reserved* (`reserved: true`, attempt not counted)
   * until a `start` settlement begins them. A dispatcher passes its free
   * slots here and its prefetch in the rest of `limit`.
   * @default limit (every claimed job starts)
   */
  start?: number;
  /**
   * How many of the claimed jobs after the first `start` also start now —
   * each only when it is not `recovering` and has an attempt to spare
   * (`attempt + 2 <= maxAttempts`): a dispatcher starting jobs shorter than a
   * round trip ahead of its free slots. Such a job can lose at most this one
   * attempt to a crash (it is `recovering` afterwards, so never started
   * ahead again) and is never failed by it.
   * @default 0
   */
  startAhead?: number;
  /**
   * Cluster-wide parallelism per callback name: after the claim, at most
   * this many jobs of the name are `running` in the whole store (counting
   * every worker's, reserved ones included). Absent names are unlimited.
   */
  nameLimits?: Readonly<Record<string, number>>;
  /**
   * Called once, when the claim moved due jobs to a later `runAt` because
   * their rate window was full: the earliest such `runAt` and the time the
   * claim ran at (both store time), so the caller can claim again when the
   * window opens instead of waiting for its idle poll. A store that never
   * calls it is still correct; the jobs then start at the next poll or bell.
   */
  onDeferred?: (runAt: number, now: number) => void;
}

/** How a worker ends (or hands back) an attempt. */
export type SettleOutcome =
  | { outcome: 'completed'; result: JsonValue | null }
  | { outcome: 'failed'; error: JobError }
  | { outcome: 'cancelled'; error: JobError | null }
  /** Back to `scheduled`, due `delayMs` after the store's `now()`. */
  | { outcome: 'retry'; delayMs: number; error: JobError }
  /**
   * Back to `scheduled`, keeping `runAt` and priority, without spending an
   * attempt: a started job's attempt is uncounted (graceful stop), a
   * reserved job's was never counted.
   */
  | { outcome: 'release' }
  /**
   * Begins a reserved job: counts its attempt (`attempt + 1`), clears
   * `reserved`, sets `startedAt = now` and renews the lease for `leaseMs`.
   * Fenced like every settlement and also by `reserved = true`: a job that
   * is not reserved under this lease is rejected (`ok: false`).
   */
  | { outcome: 'start'; leaseMs: number };

/** One settle, fenced by `id + leaseToken + status = running`. */
export type Settlement = { id: string; leaseToken: number } & SettleOutcome;

/** The result of one settle or lease extension. */
export interface FencedWriteResult {
  id: string;
  /** False when the fence rejected the write (the lease was lost); nothing changed. */
  ok: boolean;
  /**
   * For a settle that ended the job: whether continuations were waiting on
   * it when the settle ran. A store that reports `false` spares the
   * dispatcher its lookup of the job's children; absent means "look".
   */
  childrenWaiting?: boolean;
}

/** One heartbeat, fenced like a settle. */
export interface LeaseExtension {
  id: string;
  leaseToken: number;
  /** The lease lasts this long from the store's `now()`. */
  leaseMs: number;
  /** New progress to store; `undefined` leaves it unchanged. */
  progress?: JsonValue;
}

/** What a heartbeat learned. */
export interface LeaseExtensionResult extends FencedWriteResult {
  /** A cancel was requested for this job; the worker should abort it. */
  cancelRequested: boolean;
}

/** A change the store reports through `watch`. */
export interface JobChange {
  id: string;
  status: JobStatus;
  cancelRequested: boolean;
}

/** Stops a `watch`. */
export type Unwatch = () => Promise<void>;

/** What a `watch` listener wants to hear about. */
export interface WatchOptions {
  /**
   * Only cancel requests matter to this listener (a dispatcher aborting
   * what it runs). A store may then leave terminal transitions out of what
   * it delivers, and out of what it sends across processes; the listener
   * still ignores any other change it is given.
   */
  cancelRequestsOnly?: boolean;
}

/**
 * Where job documents live: the ledger, and the truth about every job.
 *
 * Required: `insert`, `get`, `update` (compare-and-set on `version`),
 * `query`, `delete`, `now`, `close`. Everything a dispatcher needs can be
 * built on these; core does so when an optional capability is absent.
 *
 * Optional capabilities (`insertMany`, `claim`, `settle`, `extendLeases`,
 * `recover`, `prune`, `watch`) are declared by implementing them. Each must
 * leave the store exactly as core's fallback would: the fallbacks are
 * exported (`claimFallback`, `settleFallback`, `extendLeasesFallback`,
 * `recoverFallback`, `insertManyFallback`) and apply the exported
 * transitions (`claimPatch`, `settlePatch`, `extendPatch`, `recoverPatch`)
 * through `update`; a native capability does the same in fewer round trips
 * or atomically across processes. Run `@jobservice/core/testing`'s kit,
 * which tests every area on both paths, to prove it.
 *
 * The clock: `now()` is the one clock for due times, leases and backoff.
 * A store shared by several hosts should read it from the shared server
 * (PostgreSQL: the database's `now()`); a store used by one host (memory,
 * files) may use that host's clock. The host clock of each worker is never
 * compared with another's.
 */
export interface IDocumentDataProvider {
  /** Starts every error message this store raises (e.g. `postgres`). */
  readonly providerName: string;

  /**
   * True when this store's native `claim` enforces flow control: it never
   * returns a job whose `concurrencyKey` already has `concurrencyLimit`
   * running jobs, whose name is at its `request.nameLimits` cap, or whose
   * `rateLimit` window is full (such a job's `runAt` moves, by the same
   * write, to when its window has room: `rateWindow.nextStart`). Every check
   * and the lease are one atomic step across processes. A store without a
   * native `claim` needs nothing: core's fallback enforces flow control on
   * the required methods. A store with a native `claim` that does not set
   * this refuses flow control with a clear error at enqueue and at
   * dispatcher start.
   */
  readonly flowControl?: boolean;

  /**
   * Inserts a job, status `scheduled`, version 1, times from `now()`. When
   * `job.key` is set and a job with that key exists (any status), writes
   * nothing and returns that job's id with `created: false`.
   */
  insert(job: NewJob, options?: WriteOptions): Promise<InsertResult>;

  /** The job, or `null`. */
  get(id: string): Promise<JobDocument | null>;

  /**
   * Compare-and-set: applies `patch` only when the stored version equals
   * `expectedVersion`, bumps `version` by one and sets `updatedAt = now()`.
   * Returns the document after the write, or `null` when the version did not
   * match or the job does not exist (nothing changed).
   */
  update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null>;

  /** Jobs matching every given filter, in the requested order. */
  query(query: JobQuery): Promise<JobPage>;

  /**
   * Deletes a job (guarded by `expectedVersion` when given). Frees its
   * idempotency key. Returns whether a job was deleted.
   */
  delete(id: string, expectedVersion?: number): Promise<boolean>;

  /** The store's clock, epoch ms: the one clock for due times, leases and backoff. */
  now(): Promise<number>;

  /** Releases connections and files. Idempotent. */
  close(): Promise<void>;

  /**
   * For a store that is also a queue (`IQueueProvider`): `insert`, and when
   * the job is created, ring `bells` on this same object's doorbell as part
   * of the one write (one round trip, and in `options.transaction` when
   * given). `JobManager` calls it only when this object is also its queue;
   * otherwise it inserts, then rings the queue.
   */
  insertAndRing?(job: NewJob, bells: readonly Bell[], options?: WriteOptions): Promise<InsertResult>;

  /** Like `insert` for many jobs (atomically or per item); one result per job, in order. */
  insertMany?(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]>;

  /**
   * Atomically finds up to `limit` due `scheduled` jobs with the given names,
   * in claim order, and leases them with `claimPatch`: status `running`,
   * `leaseToken + 1`, `leaseExpiresAt = now + leaseMs`, `workerId`. The
   * first `request.start` of them (default all) start: `attempt + 1`,
   * `startedAt = now`; the rest are reserved (`reserved: true`, attempt and
   * `startedAt` unchanged) until a `start` settlement. Two concurrent claims
   * never return the same job.
   */
  claim?(request: ClaimRequest): Promise<JobDocument[]>;

  /**
   * Applies settlements in order, each fenced by `id + leaseToken + status =
   * running` (a `start` also by `reserved`), with `settlePatch`'s write; one
   * result per settlement.
   */
  settle?(settlements: readonly Settlement[]): Promise<FencedWriteResult[]>;

  /** Heartbeats, each fenced like `settle`; reports lost leases and cancel requests. */
  extendLeases?(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]>;

  /**
   * Recovers up to `limit` jobs whose lease has lapsed at the store's
   * `now()`, in one round trip: each write is guarded by `status = running
   * AND leaseExpiresAt < now` at write time (so a job settled or
   * heartbeated meanwhile is left alone) and applies `recoverPatch`.
   * Returns the documents after the write. Which lapsed leases go first when
   * more than `limit` have lapsed is the store's choice (the reaper calls
   * again until a call returns fewer than `limit`). The reaper uses it.
   */
  recover?(limit: number): Promise<JobDocument[]>;

  /**
   * Deletes up to `limit` terminal jobs (completed, failed, cancelled) whose
   * `finishedAt` is before `before`, in one round trip; returns how many.
   * Never touches scheduled or running jobs. Retention uses it.
   */
  prune?(before: number, limit: number): Promise<number>;

  /**
   * Reports status changes and cancel requests (across processes where the
   * store can). Resolves once the listener is live.
   */
  watch?(listener: (change: JobChange) => void, options?: WatchOptions): Promise<Unwatch>;

  /**
   * How many jobs there are of each callback name in each status, in one
   * round trip: one entry per pair with at least one job, in any order.
   * Metrics gauges and dashboards read it; without it core pages through
   * `query` (a read of every job).
   */
  countJobs?(): Promise<JobCount[]>;
}

/** How many jobs of one callback name are in one status ({@link IDocumentDataProvider.countJobs}). */
export interface JobCount {
  /** The callback name. */
  name: string;
  status: JobStatus;
  /** At least 1. */
  count: number;
}
