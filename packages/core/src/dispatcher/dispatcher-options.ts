import { hostname } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackFactory } from '../callbacks/callback-registry.js';
import { InvalidInputError } from '../errors.js';
import type { IQueueProvider } from '../queue/queue-provider.js';
import type { Calendar } from '../scheduling/ticks.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';
import type { Logger } from '../util/logger.js';
import type { ParallelismOverride } from './parallelism.js';

/** Options for {@link JobDispatcher}. */
export interface JobDispatcherOptions {
  /** Where jobs live. */
  store: IDocumentDataProvider;
  /** The doorbell; without one the dispatcher claims on its idle timer only. */
  queue?: IQueueProvider;
  /** The callbacks this worker runs; it claims only jobs with these names. */
  callbacks: readonly JobCallbackClass[];
  /** Jobs running at once. @default 10 */
  concurrency?: number;
  /**
   * Jobs claimed beyond free slots, so a freed slot starts the next job
   * without a round trip and claims come in batches. They are leased while
   * they wait, reserved: no attempt counted (heartbeated, handed back at
   * stop, recovered uncounted if the worker dies). It is where prefetch
   * starts and where it returns when jobs are slow, so one worker never
   * hoards a backlog other workers could run; see `maxPrefetch`.
   * @default concurrency
   */
  prefetch?: number;
  /**
   * How far prefetch may grow: while claims come back full it is sized to
   * cover one claim's round trip at the rate jobs go through (short jobs
   * over a deep backlog), and it falls back to `prefetch` when a claim finds
   * fewer jobs than it asked for. Long jobs never grow it.
   * @default maxBatch − concurrency (at least `prefetch`), or `prefetch` when
   * only that is set (a fixed prefetch)
   */
  maxPrefetch?: number;
  /** Lease length. @default 30_000 */
  leaseMs?: number;
  /** Heartbeat interval. @default leaseMs / 3 */
  heartbeatMs?: number;
  /** Claim this often while a slot is free (lost bells, due delayed jobs). @default 1_000 */
  idlePollMs?: number;
  /** Reaper interval (expired leases). @default leaseMs / 2 */
  reaperIntervalMs?: number;
  /** Terminal jobs older than this are pruned. @default 7 days */
  retentionMs?: number;
  /** Retention interval. @default 60_000 */
  maintenanceIntervalMs?: number;
  /** Most jobs one settle or claim batch carries. @default 500 */
  maxBatch?: number;
  /**
   * Start jobs shorter than half a store round trip ahead of free slots
   * (about one round trip's worth), so slots do not idle through the start
   * write each job needs. Only jobs that are not `recovering` and have an
   * attempt to spare: a crash costs such a job one attempt at most. `false`
   * counts every attempt only when a slot is free for it.
   * @default true
   */
  startAhead?: boolean;
  /** Default time `stop()` lets running jobs finish. @default 30_000 */
  graceMs?: number;
  /** This worker's id in the store. @default host:pid:uuid */
  workerId?: string;
  /** Builds each attempt's callback (DI containers). @default `new Callback()` */
  callbackFactory?: CallbackFactory;
  /** Where the dispatcher logs. @default silent (events carry the facts) */
  logger?: Logger;
  /** Stops the dispatcher when aborted. */
  signal?: AbortSignal;
  /** Fire the schedules of this worker's callbacks. @default true */
  schedules?: boolean;
  /** Longest sleep between schedule checks (schedules changed in other processes). @default 10_000 */
  scheduleCheckMs?: number;
  /** Calendars schedules may name: `(epochMs, timezone) => true` when that day is excluded. */
  calendars?: Record<string, Calendar>;
  /**
   * Overrides callbacks' `maxParallelism` by name: a number (the callback's
   * scope kept) or `{ max, scope }`, e.g. `{ resize: 2, report: { max: 1, scope: 'cluster' } }`.
   */
  maxParallelism?: Record<string, ParallelismOverride>;
}

/** The options with defaults applied. */
export interface ResolvedDispatcherOptions {
  concurrency: number;
  prefetch: number;
  maxPrefetch: number;
  leaseMs: number;
  heartbeatMs: number;
  idlePollMs: number;
  reaperIntervalMs: number;
  retentionMs: number;
  maintenanceIntervalMs: number;
  maxBatch: number;
  startAhead: boolean;
  graceMs: number;
  workerId: string;
  schedules: boolean;
  scheduleCheckMs: number;
}

/** Validates and fills in dispatcher options (naming the bad field). */
export function resolveDispatcherOptions(options: JobDispatcherOptions): ResolvedDispatcherOptions {
  if (!options || typeof options !== 'object') {
    throw new InvalidInputError('options', 'pass { store, callbacks, … }');
  }
  if (!options.store) throw new InvalidInputError('store', 'is required: pass an IDocumentDataProvider');
  const concurrency = positiveInt(options.concurrency ?? 10, 'concurrency');
  const leaseMs = positiveInt(options.leaseMs ?? 30_000, 'leaseMs');
  const heartbeatMs = positiveInt(options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)), 'heartbeatMs');
  if (heartbeatMs * 2 > leaseMs) {
    throw new InvalidInputError(
      'heartbeatMs',
      `must be at most half of leaseMs (${leaseMs}), got ${heartbeatMs}`,
    );
  }
  const prefetch = nonNegativeInt(options.prefetch ?? concurrency, 'prefetch');
  const maxBatch = positiveInt(options.maxBatch ?? 500, 'maxBatch');
  const maxPrefetch = nonNegativeInt(
    options.maxPrefetch ??
      (options.prefetch === undefined ? Math.max(prefetch, maxBatch - concurrency) : prefetch),
    'maxPrefetch',
  );
  if (maxPrefetch < prefetch) {
    throw new InvalidInputError('maxPrefetch', `must be at least prefetch (${prefetch}), got ${maxPrefetch}`);
  }
  return {
    concurrency,
    prefetch,
    maxPrefetch,
    leaseMs,
    heartbeatMs,
    idlePollMs: positiveInt(options.idlePollMs ?? 1_000, 'idlePollMs'),
    reaperIntervalMs: positiveInt(
      options.reaperIntervalMs ?? Math.max(1, Math.floor(leaseMs / 2)),
      'reaperIntervalMs',
    ),
    retentionMs: nonNegativeInt(options.retentionMs ?? 7 * 24 * 3_600_000, 'retentionMs'),
    maintenanceIntervalMs: positiveInt(options.maintenanceIntervalMs ?? 60_000, 'maintenanceIntervalMs'),
    maxBatch,
    startAhead: bool(options.startAhead ?? true, 'startAhead'),
    graceMs: nonNegativeInt(options.graceMs ?? 30_000, 'graceMs'),
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${uuidv7().slice(-12)}`,
    schedules: options.schedules ?? true,
    scheduleCheckMs: positiveInt(options.scheduleCheckMs ?? 10_000, 'scheduleCheckMs'),
  };
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(field, `must be a whole number ≥ 1, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, `must be a whole number ≥ 0, got ${String(value)}`);
  }
  return value;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new InvalidInputError(field, `must be true or false, got ${String(value)}`);
  return value;
}
