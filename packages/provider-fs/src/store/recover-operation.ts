import {
  applyJobPatch,
  type Clock,
  InvalidInputError,
  isLeaseExpired,
  type JobDocument,
  recoverPatch,
} from '@jobservice/core';
import type { IndexEntry } from '../index/index-entry.js';
import { readLocked } from './document-patch.js';
import type { CommitWrite } from './engine-types.js';
import type { StoreEngine } from './store-engine.js';

/**
 * Recovers up to `limit` lapsed leases (the `recover` capability) in one
 * lock hold and one commit: the index's running jobs whose lease expired
 * before the store's `now()`, the longest lapsed first; each document is
 * read and checked again (`status = running AND leaseExpiresAt < now`)
 * under the lock, which is write time, and gets core's `recoverPatch`.
 * Returns the documents after the write.
 */
export async function recoverJobs(engine: StoreEngine, clock: Clock, limit: number): Promise<JobDocument[]> {
  if (typeof limit !== 'number' || Number.isNaN(limit)) {
    throw new InvalidInputError('limit', `must be a number of jobs, got ${String(limit)}`);
  }
  if (!(limit >= 1)) return [];
  // Nothing lapsed in this process's index (exact after a refresh): no lock, no commit.
  await engine.refresh();
  if (lapsedEntries(engine, clock.now()).length === 0) return [];
  const recovered = await engine.locked(() => {
    const now = clock.now();
    const writes: CommitWrite[] = [];
    const out: JobDocument[] = [];
    for (const entry of lapsedEntries(engine, now)) {
      if (out.length >= limit) break;
      const doc = readLocked(engine, entry.id);
      if (!doc || doc.version !== entry.version || !isLeaseExpired(doc, now)) continue;
      const after = applyJobPatch(doc, recoverPatch(doc, now), now);
      writes.push({ id: doc.id, doc: after });
      out.push(after);
    }
    engine.commit(writes);
    return out;
  });
  if (recovered.length > 0) await engine.synced();
  return recovered;
}

/** Running entries whose lease lapsed before `now`, the earliest expiry first. */
function lapsedEntries(engine: StoreEngine, now: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const id of engine.index.idsWith('running')) {
    const entry = engine.index.entries.get(id);
    if (entry && entry.leaseExpiresAt !== null && entry.leaseExpiresAt < now) out.push(entry);
  }
  return out.sort((a, b) => (a.leaseExpiresAt as number) - (b.leaseExpiresAt as number));
}
