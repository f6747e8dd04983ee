import { appendLogs, type JobLogEntry } from '../model/job-log.js';
import { fencedUpdate } from '../store/fallbacks.js';
import type { JobStore } from '../store/job-store.js';
import type { Attempt } from './attempt.js';

/**
 * Writes the log lines attempts buffered onto their jobs: all of an
 * attempt's pending lines in one fenced compare-and-set (never one write
 * per line), with each heartbeat round and before its settle. A lost
 * lease drops the lines (the job is someone else's now).
 */
export class LogFlusher {
  constructor(
    private readonly store: JobStore,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Writes `attempt`'s pending lines, if any. */
  async flush(attempt: Attempt): Promise<void> {
    const entries = attempt.takeLogs();
    if (entries.length === 0) return;
    try {
      await this.write(attempt, entries);
    } catch (error) {
      this.reportError(error);
    }
  }

  /** Writes the pending lines of every attempt that has some. */
  async flushAll(attempts: Iterable<Attempt>): Promise<void> {
    await Promise.all([...attempts].filter((a) => a.hasPendingLogs).map((a) => this.flush(a)));
  }

  private async write(attempt: Attempt, entries: JobLogEntry[]): Promise<void> {
    const { id, leaseToken } = attempt.job;
    await fencedUpdate(this.store.provider, id, leaseToken, (job) => ({
      logs: appendLogs(job.logs, entries),
    }));
  }
}
