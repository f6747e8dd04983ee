import type { JobDocument } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';

/** What maintenance reports back to its dispatcher. */
export interface MaintenanceHooks {
  recovered(job: JobDocument): void;
  /** Releases continuations whose parents have all ended (a page per round). */
  sweepWaiting(): Promise<void>;
  pruned(count: number): void;
  error(error: unknown, during: string): void;
}

/** Jobs recovered per reaper batch. */
const BATCH = 100;
/** Jobs deleted per retention batch. */
const PRUNE_BATCH = 500;
/** Most batches one retention round deletes (a backlog is worked off over several rounds). */
const MAX_PRUNE_BATCHES = 20;

/**
 * The dispatcher's housekeeping: the reaper (recovers expired leases, each
 * write guarded at write time) and retention (prunes old terminal jobs in
 * small batches). Every dispatcher runs it; compare-and-set keeps them apart.
 */
export class Maintenance {
  private reaperTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private reaping: Promise<number> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly hooks: MaintenanceHooks,
    private readonly options: {
      reaperIntervalMs: number;
      maintenanceIntervalMs: number;
      retentionMs: number;
    },
  ) {}

  /** Starts both timers and runs the reaper once now. */
  start(): void {
    void this.reap();
    this.reaperTimer = setInterval(() => void this.reap(), this.options.reaperIntervalMs);
    this.retentionTimer = setInterval(() => void this.housekeep(), this.options.maintenanceIntervalMs);
    this.reaperTimer.unref();
    this.retentionTimer.unref();
  }

  /** Stops the timers (an in-flight round finishes on its own). */
  stop(): void {
    clearInterval(this.reaperTimer);
    clearInterval(this.retentionTimer);
  }

  /** Recovers every expired lease now; resolves with how many. */
  reap(): Promise<number> {
    this.reaping ??= this.reapAll().finally(() => {
      this.reaping = undefined;
    });
    return this.reaping;
  }

  private async housekeep(): Promise<void> {
    try {
      await this.hooks.sweepWaiting();
    } catch (error) {
      this.hooks.error(error, 'release continuations');
    }
    await this.prune();
  }

  /** Prunes terminal jobs older than the retention now; resolves with how many. */
  async prune(): Promise<number> {
    let total = 0;
    try {
      const before = (await this.store.now()) - this.options.retentionMs;
      for (let i = 0; i < MAX_PRUNE_BATCHES; i++) {
        const count = await this.store.prune(before, PRUNE_BATCH);
        total += count;
        if (count < PRUNE_BATCH) break;
      }
      if (total > 0) this.hooks.pruned(total);
    } catch (error) {
      this.hooks.error(error, 'retention');
    }
    return total;
  }

  private async reapAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const recovered = await this.store.recoverExpired(BATCH);
        for (const r of recovered) this.hooks.recovered(r.job);
        total += recovered.length;
        if (recovered.length < BATCH) break;
      }
    } catch (error) {
      this.hooks.error(error, 'reaper');
    }
    return total;
  }
}
