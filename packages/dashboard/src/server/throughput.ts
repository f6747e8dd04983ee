import type { JobManager } from '@jobservice/core';

/** Completed and failed jobs seen in one minute. */
export interface ThroughputBucket {
  /** The minute's start, epoch ms. */
  minute: number;
  completed: number;
  failed: number;
}

const MINUTE = 60_000;
const KEEP_MINUTES = 60;

/**
 * Samples `countJobs()` every `intervalMs` and turns the growth of the
 * completed and failed totals into per-minute buckets: the dashboard's own
 * view since it started (retention pruning can shrink a total; that counts 0).
 */
export class ThroughputSampler {
  private last: { completed: number; failed: number } | null = null;
  private readonly buckets = new Map<number, ThroughputBucket>();
  private timer: NodeJS.Timeout | null = null;
  /** When sampling began, epoch ms. */
  readonly since = Date.now();

  constructor(
    private readonly manager: JobManager,
    private readonly intervalMs = 10_000,
  ) {}

  /** Takes a first sample now and keeps sampling until `stop()`. */
  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the totals once and adds their growth to this minute's bucket. */
  async sample(): Promise<void> {
    let totals: { completed: number; failed: number };
    try {
      totals = { completed: 0, failed: 0 };
      for (const row of await this.manager.countJobs()) {
        if (row.status === 'completed') totals.completed += row.count;
        if (row.status === 'failed') totals.failed += row.count;
      }
    } catch {
      return; // a failed read leaves a gap, nothing else
    }
    const previous = this.last;
    this.last = totals;
    if (!previous) return;
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    const bucket = this.buckets.get(minute) ?? { minute, completed: 0, failed: 0 };
    bucket.completed += Math.max(0, totals.completed - previous.completed);
    bucket.failed += Math.max(0, totals.failed - previous.failed);
    this.buckets.set(minute, bucket);
    for (const key of this.buckets.keys()) if (key < minute - KEEP_MINUTES * MINUTE) this.buckets.delete(key);
  }

  /** The last hour's buckets, oldest first, one per minute (empty minutes included). */
  lastHour(): ThroughputBucket[] {
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const out: ThroughputBucket[] = [];
    for (let m = now - (KEEP_MINUTES - 1) * MINUTE; m <= now; m += MINUTE) {
      out.push(this.buckets.get(m) ?? { minute: m, completed: 0, failed: 0 });
    }
    return out;
  }
}
