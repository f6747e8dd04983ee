import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { InsertResult, JobStatus } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { IQueueProvider } from '../queue/queue-provider.js';
import type { Calendar } from '../scheduling/ticks.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';
import type { EnqueueOptions, JobDefaults } from './enqueue-options.js';

/** Options for {@link JobManager}. */
export interface JobManagerOptions {
  /** Where jobs are written. */
  store: IDocumentDataProvider;
  /** The doorbell rung for each new job. Optional: dispatchers also claim on a timer. */
  queue?: IQueueProvider;
  /**
   * The callbacks this process knows. With a registry, names are checked
   * against it; without one (a producer without the callbacks' code) only
   * against the name pattern.
   */
  callbacks?: readonly JobCallbackClass[];
  /** Defaults below each callback's statics. */
  defaults?: JobDefaults;
  /** Calendars schedules may name (for `nextRuns` previews; dispatchers take the same). */
  calendars?: Record<string, Calendar>;
}

/**
 * What `enqueue` returns. When the idempotency key was taken
 * (`created: false`), also the existing job's `status` and `result`, so a
 * caller can skip work that is done.
 */
export interface EnqueueResult extends InsertResult {
  /** The existing job's status (only when `created` is false). */
  status?: JobStatus;
  /** The existing job's result, `null` until it completes (only when `created` is false). */
  result?: JsonValue | null;
}

/** What {@link JobManager.get} reads beyond the document's own fields. */
export interface GetOptions {
  /** `['logs']`: also the job's log lines. */
  include?: readonly 'logs'[];
}

/** One item of {@link JobManager.enqueueMany}. */
export interface EnqueueItem {
  /** A callback class or name. */
  callback: JobCallbackClass | string;
  metadata: JsonValue;
  options?: Omit<EnqueueOptions, 'transaction'>;
}
