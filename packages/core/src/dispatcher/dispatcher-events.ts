import type { JobDocument, JobError } from '../model/job.js';
import type { JobLogEntry } from '../model/job-log.js';
import type { JsonValue } from '../model/json.js';

/** Payloads of the events a {@link JobDispatcher} emits, one per transition. */
export interface DispatcherEvents {
  /** An attempt started (the job was claimed and its callback is running). */
  started: { job: JobDocument };
  /** The job completed; `durationMs` is how long its handler ran (this worker's clock). */
  completed: { job: JobDocument; result: JsonValue | null; durationMs: number };
  /** The attempt failed and the job is scheduled again after `delayMs`. */
  retrying: { job: JobDocument; error: JobError; delayMs: number; durationMs: number };
  /** The job failed for good. */
  failed: { job: JobDocument; error: JobError; durationMs: number };
  /** The job was cancelled (`durationMs` 0 when it was not running). */
  cancelled: { job: JobDocument; durationMs: number };
  /** The job was handed back unstarted or at shutdown, its attempt not counted. */
  released: { job: JobDocument };
  /** The reaper recovered a job whose lease lapsed. */
  recovered: { job: JobDocument };
  /** This worker lost the lease (store rejected its write or it self-fenced); it did not settle. */
  leaseLost: { job: JobDocument; reason: string };
  /** The callback reported progress. */
  progress: { job: JobDocument; progress: JsonValue };
  /** The callback logged a line with `ctx.log` (written onto the job with the next heartbeat or the settle). */
  log: { job: JobDocument; entry: JobLogEntry };
  /** Retention deleted terminal jobs. */
  pruned: { count: number };
  /** Something failed outside a job (store, queue, listener); the dispatcher carries on. */
  error: { error: unknown; during: string };
  /** `stop()` finished. */
  stopped: Record<string, never>;
}
