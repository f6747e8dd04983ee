import { InvalidInputError, NotFoundError } from '../errors.js';
import { isTerminal, type JobDocument } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';

/** What `cancel` did. */
export type CancelOutcome =
  /** The job was scheduled or waiting and is now cancelled. */
  | 'cancelled'
  /** The job is running; its worker was asked to stop and will settle it `cancelled`. */
  | 'requested'
  /** The job had already ended; nothing changed. */
  | 'already-finished';

/**
 * Cancels a job by compare-and-set: a scheduled or waiting job becomes `cancelled`
 * now; a running job is marked `cancelRequested` for its worker.
 */
export async function cancelJob(store: JobStore, id: string): Promise<CancelOutcome> {
  for (;;) {
    const job = await mustGet(store, id);
    if (isTerminal(job.status)) return 'already-finished';
    if (job.status === 'scheduled' || job.status === 'waiting') {
      const now = await store.now();
      const after = await store.update(id, job.version, {
        status: 'cancelled',
        finishedAt: now,
        error: { message: 'cancelled' },
      });
      if (after) return 'cancelled';
    } else {
      if (job.cancelRequested) return 'requested';
      if (await store.update(id, job.version, { cancelRequested: true })) return 'requested';
    }
  }
}

/**
 * Puts a `failed` or `cancelled` job back to `scheduled` from attempt 0,
 * due now. Returns the job after the write, or `null` when it was in
 * another status (nothing changed).
 */
export async function retryJob(store: JobStore, id: string): Promise<JobDocument | null> {
  for (;;) {
    const job = await mustGet(store, id);
    if (job.status !== 'failed' && job.status !== 'cancelled') return null;
    const now = await store.now();
    const after = await store.update(id, job.version, {
      status: 'scheduled',
      attempt: 0,
      runAt: now,
      finishedAt: null,
      cancelRequested: false,
      recovering: false,
    });
    if (after) return after;
  }
}

/**
 * Deletes a job that is not running (a running job's handler would go on
 * with nothing to settle: cancel it first). Guarded by the version read,
 * so a job claimed meanwhile is not deleted under its worker.
 */
export async function deleteJob(store: JobStore, id: string): Promise<void> {
  for (;;) {
    const job = await mustGet(store, id);
    if (job.status === 'running') {
      throw new InvalidInputError('id', `job ${id} is running: cancel it, then delete it once it has ended`);
    }
    if (await store.provider.delete(id, job.version)) return;
  }
}

async function mustGet(store: JobStore, id: string): Promise<JobDocument> {
  const job = await store.get(id);
  if (!job) throw new NotFoundError('job', id);
  return job;
}
