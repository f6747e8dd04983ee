import { JOB_STATUSES, type JobChange, type JobStatus } from '@jobservice/core';
import { ClaimQueue } from './claim-queue.js';
import { RunningCounts } from './flow-counts.js';
import { type IndexEntry, type IndexRecord, isRemoval } from './index-entry.js';

/**
 * One process's in-memory index of the store: an entry per job (the fields
 * queries use), ids by status, ids by idempotency key and, once this process
 * claims, a claim queue. It is fed only by the index log, in log order, so
 * every process converges on the same index. It also counts running jobs
 * per concurrency key and name ({@link running}); each slot that frees puts
 * one job parked on that gate back in the claim queue.
 */
export class JobIndex {
  /** Entry per job id. */
  readonly entries = new Map<string, IndexEntry>();
  /** Job id per idempotency key. */
  readonly keys = new Map<string, string>();
  /** Ids of the jobs whose current document lies in the index log (not yet written back). */
  readonly inLog = new Set<string>();
  /** Running jobs per concurrency key and per name (exact once caught up with the log). */
  readonly running = new RunningCounts();
  private readonly byStatus = new Map<JobStatus, Set<string>>(JOB_STATUSES.map((s) => [s, new Set()]));
  private claims: ClaimQueue | undefined;
  private logBytes = 0;

  /** Bytes of the documents that lie in the index log (what a snapshot must carry). */
  get bytesInLog(): number {
    return this.logBytes;
  }

  /** Ids of the jobs with `status`. */
  idsWith(status: JobStatus): ReadonlySet<string> {
    return this.byStatus.get(status) as Set<string>;
  }

  /**
   * Applies one log record. Returns the change a watcher should hear (a new
   * job, a status change or a cancel request), or `null`.
   */
  apply(record: IndexRecord): JobChange | null {
    const before = this.entries.get(record.id);
    if (before) this.forgetBody(before);
    if (isRemoval(record)) {
      if (!before) return null;
      this.entries.delete(record.id);
      this.freeGates(this.running.track(before, undefined));
      this.byStatus.get(before.status)?.delete(record.id);
      if (before.key !== null && this.keys.get(before.key) === record.id) this.keys.delete(before.key);
      return null;
    }
    const entry = record;
    if (entry.at !== undefined) {
      this.inLog.add(entry.id);
      this.logBytes += entry.len ?? 0;
    }
    if (before && sameDocument(before, entry)) {
      // The same version again (a snapshot read after a compaction): only its body moved.
      before.at = entry.at;
      before.len = entry.len;
      return null;
    }
    this.entries.set(entry.id, entry);
    const freed = this.running.track(before, entry);
    if (before?.status !== entry.status) {
      if (before) this.byStatus.get(before.status)?.delete(entry.id);
      this.byStatus.get(entry.status)?.add(entry.id);
    }
    if (entry.key !== null) this.keys.set(entry.key, entry.id);
    if (entry.status === 'scheduled' && this.claims) {
      this.claims.add(entry);
      if (this.claims.needsRebuild(this.idsWith('scheduled').size)) this.rebuildClaims();
    }
    this.freeGates(freed);
    if (before && before.status === entry.status && before.cancelRequested === entry.cancelRequested) {
      return null;
    }
    return { id: entry.id, status: entry.status, cancelRequested: entry.cancelRequested };
  }

  /**
   * Records that `jobs/<id>.json` now holds `version` (a write-back): the
   * entry stops pointing into the log when that is still its version.
   */
  written(id: string, version: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.version !== version || entry.at === undefined) return;
    this.forgetBody(entry);
    delete entry.at;
    delete entry.len;
  }

  /** The claim queue, built from the scheduled entries on first use. */
  claimQueue(): ClaimQueue {
    if (!this.claims) this.rebuildClaims();
    return this.claims as ClaimQueue;
  }

  /** Puts an entry that was popped but not claimed back into the claim queue. */
  requeue(entry: IndexEntry): void {
    if (this.entries.get(entry.id) === entry) this.claims?.add(entry);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.keys.clear();
    for (const set of this.byStatus.values()) set.clear();
    this.claims?.clear();
    this.running.clear();
    this.inLog.clear();
    this.logBytes = 0;
  }

  /** One parked job per gate that freed a slot goes back into the claim queue. */
  private freeGates(gates: readonly string[]): void {
    if (!this.claims) return;
    for (const gate of gates) this.claims.unpark(gate);
  }

  private forgetBody(entry: IndexEntry): void {
    if (entry.at === undefined) return;
    this.inLog.delete(entry.id);
    this.logBytes -= entry.len ?? 0;
  }

  private rebuildClaims(): void {
    const claims = new ClaimQueue((e) => this.entries.get(e.id) === e);
    for (const id of this.idsWith('scheduled')) {
      const entry = this.entries.get(id);
      if (entry) claims.add(entry);
    }
    this.claims = claims;
  }
}

/** Two entries of one job at one version, status and cancel flag. */
function sameDocument(a: IndexEntry, b: IndexEntry): boolean {
  return a.version === b.version && a.status === b.status && a.cancelRequested === b.cancelRequested;
}
