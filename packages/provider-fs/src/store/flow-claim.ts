import type { FlowCounts, JobDocument } from '@jobservice/core';
import type { RunningCounts } from '../index/flow-counts.js';
import type { RateFile, RateSession } from './rate-file.js';

/**
 * What one claim (under the store lock, caught up) knows for core's
 * `admitJob`: the index's running counts plus the jobs this claim took so
 * far (committed only at its end), and the rate windows of `rates.json`,
 * read on the first rate-limited candidate only, so an ungated claim
 * touches no file.
 */
export class ClaimFlow implements FlowCounts {
  private readonly keys = new Map<string, number>();
  private readonly names = new Map<string, number>();
  private rates: RateSession | undefined;

  constructor(
    private readonly running: RunningCounts,
    private readonly rateFile: RateFile,
  ) {}

  runningWithKey(key: string): number {
    return this.running.withKey(key) + (this.keys.get(key) ?? 0);
  }

  runningWithName(name: string): number {
    return this.running.withName(name) + (this.names.get(name) ?? 0);
  }

  rateStarts(key: string): readonly number[] {
    return this.session().book.get(key);
  }

  /** Counts a job this claim takes (and its start, when rate-limited) at `now`. */
  took(job: JobDocument, now: number): void {
    this.names.set(job.name, (this.names.get(job.name) ?? 0) + 1);
    if (job.concurrencyKey !== null) {
      this.keys.set(job.concurrencyKey, (this.keys.get(job.concurrencyKey) ?? 0) + 1);
    }
    if (job.rateLimit !== null) this.session().record(job.rateLimit, now);
  }

  /** Writes the starts this claim recorded (before its commit: a crash between loses no limit). */
  async save(now: number): Promise<void> {
    if (this.rates) await this.rateFile.save(this.rates, now);
  }

  private session(): RateSession {
    this.rates ??= this.rateFile.load();
    return this.rates;
  }
}
