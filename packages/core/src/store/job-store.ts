import type { InsertResult, JobDocument, JobPatch, NewJob } from '../model/job.js';
import { TERMINAL_STATUSES } from '../model/job.js';
import type { Bell } from '../queue/queue-provider.js';
import type {
  ClaimRequest,
  FencedWriteResult,
  IDocumentDataProvider,
  JobChange,
  JobCount,
  LeaseExtension,
  LeaseExtensionResult,
  Settlement,
  Unwatch,
  WatchOptions,
  WriteOptions,
} from './document-provider.js';
import {
  claimFallback,
  countJobsFallback,
  extendLeasesFallback,
  insertManyFallback,
  recoverFallback,
  settleFallback,
} from './fallbacks.js';

/** What one reaper pass did. */
export interface RecoveredJob {
  job: JobDocument;
  /** `scheduled` (will run again), `failed` (no attempts left) or `cancelled`. */
  status: JobDocument['status'];
}

/**
 * Core's view of a store: every capability present, native where the
 * provider implements it, core's fallback otherwise. Internal.
 */
export class JobStore {
  constructor(readonly provider: IDocumentDataProvider) {}

  get name(): string {
    return this.provider.providerName;
  }

  now(): Promise<number> {
    return this.provider.now();
  }

  get(id: string): Promise<JobDocument | null> {
    return this.provider.get(id);
  }

  update(id: string, version: number, patch: JobPatch): Promise<JobDocument | null> {
    return this.provider.update(id, version, patch);
  }

  insert(job: NewJob, options?: WriteOptions): Promise<InsertResult> {
    return this.provider.insert(job, options);
  }

  /** The provider's `insertAndRing` (callers check it exists). */
  insertAndRing(job: NewJob, bells: readonly Bell[], options?: WriteOptions): Promise<InsertResult> {
    if (!this.provider.insertAndRing) throw new Error(`${this.name}: insertAndRing is not implemented`);
    return this.provider.insertAndRing(job, bells, options);
  }

  /** Jobs by name and status: the store's `countJobs`, or the paging fallback. */
  countJobs(): Promise<JobCount[]> {
    return this.provider.countJobs ? this.provider.countJobs() : countJobsFallback(this.provider);
  }

  insertMany(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return this.provider.insertMany
      ? this.provider.insertMany(jobs, options)
      : insertManyFallback(this.provider, jobs, options);
  }

  claim(request: ClaimRequest): Promise<JobDocument[]> {
    if (request.limit <= 0) return Promise.resolve([]);
    return this.provider.claim ? this.provider.claim(request) : claimFallback(this.provider, request);
  }

  settle(settlements: readonly Settlement[]): Promise<FencedWriteResult[]> {
    if (settlements.length === 0) return Promise.resolve([]);
    return this.provider.settle
      ? this.provider.settle(settlements)
      : settleFallback(this.provider, settlements);
  }

  extendLeases(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]> {
    if (extensions.length === 0) return Promise.resolve([]);
    return this.provider.extendLeases
      ? this.provider.extendLeases(extensions)
      : extendLeasesFallback(this.provider, extensions);
  }

  /** The store's change feed, or `null` when it has none. */
  watch(listener: (change: JobChange) => void, options?: WatchOptions): Promise<Unwatch> | null {
    return this.provider.watch ? this.provider.watch(listener, options) : null;
  }

  /**
   * Recovers up to `limit` jobs whose lease lapsed, each write guarded at
   * write time, so a job that completed (or was heartbeated) meanwhile is
   * left alone: the store's `recover` in one round trip, or the fallback.
   */
  async recoverExpired(limit: number): Promise<RecoveredJob[]> {
    if (limit <= 0) return [];
    const jobs = this.provider.recover
      ? await this.provider.recover(limit)
      : await recoverFallback(this.provider, limit);
    return jobs.map((job) => ({ job, status: job.status }));
  }

  /** Deletes up to `limit` terminal jobs that finished before `before`. */
  async prune(before: number, limit: number): Promise<number> {
    if (this.provider.prune) return this.provider.prune(before, limit);
    const page = await this.provider.query({ statuses: TERMINAL_STATUSES, finishedBefore: before, limit });
    let deleted = 0;
    for (const job of page.items) {
      if (await this.provider.delete(job.id, job.version)) deleted++;
    }
    return deleted;
  }
}
