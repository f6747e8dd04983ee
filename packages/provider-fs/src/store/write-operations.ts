import {
  applyJobPatch,
  type Clock,
  type InsertResult,
  InvalidInputError,
  type JobDocument,
  type JobPatch,
  materializeJob,
  type NewJob,
  TERMINAL_STATUSES,
  type WriteOptions,
} from '@jobservice/core';
import { checkNewJob, readLocked } from './document-patch.js';
import type { CommitWrite } from './engine-types.js';
import type { StoreEngine } from './store-engine.js';

/**
 * Inserts jobs in one lock hold: each key is checked (key file, created
 * `O_EXCL`) and each id, then one commit carries every new document (one log
 * append; with full durability one fdatasync, plus one of `keys/` when keys
 * were taken). One result per job, in order, like the memory store.
 */
export async function insertJobs(
  engine: StoreEngine,
  clock: Clock,
  jobs: readonly NewJob[],
  options: WriteOptions | undefined,
): Promise<InsertResult[]> {
  if (options?.transaction !== undefined) {
    throw new InvalidInputError('options.transaction', 'the file-system store has no transactions; omit it');
  }
  if (!Array.isArray(jobs)) throw new InvalidInputError('jobs', 'must be an array of jobs');
  jobs.forEach((job, i) => {
    checkNewJob(job, jobs.length === 1 ? 'job' : `jobs[${i}]`);
  });
  if (jobs.length === 0) return [];
  engine.assertOpen();
  const now = clock.now();
  const docs = jobs.map((job) => materializeJob(job, now));
  let keysTouched = false;
  let created = false;
  const results = await engine.locked(() => {
    const out: InsertResult[] = [];
    const writes: CommitWrite[] = [];
    const batchIds = new Set<string>();
    const batchKeys = new Map<string, string>();
    for (const doc of docs) {
      if (doc.key !== null) {
        const owner = batchKeys.get(doc.key) ?? keyOwner(engine, doc.key);
        if (owner !== null) {
          out.push({ id: owner, created: false });
          continue;
        }
      }
      if (batchIds.has(doc.id) || engine.index.entries.has(doc.id)) {
        out.push({ id: doc.id, created: false });
        continue;
      }
      if (doc.key !== null) {
        if (!engine.keys.create(doc.key, doc.id)) engine.keys.replace(doc.key, doc.id);
        batchKeys.set(doc.key, doc.id);
      }
      batchIds.add(doc.id);
      writes.push({ id: doc.id, doc });
      out.push({ id: doc.id, created: true });
    }
    try {
      engine.commit(writes);
    } catch (error) {
      for (const [key, id] of batchKeys) engine.keys.release(key, id);
      throw error;
    }
    keysTouched = batchKeys.size > 0;
    created = writes.length > 0;
    return out;
  });
  if (created) await engine.synced(keysTouched);
  return results;
}

/** The job holding `key` (under the lock), repairing a lost key file; `null` when the key is free. */
function keyOwner(engine: StoreEngine, key: string): string | null {
  const file = engine.keys.read(key);
  if (file !== null && file !== 'unreadable' && engine.index.entries.has(file.id)) return file.id;
  const indexed = engine.index.keys.get(key);
  if (indexed !== undefined && engine.index.entries.has(indexed)) {
    engine.keys.replace(key, indexed);
    return indexed;
  }
  return null;
}

/**
 * Compare-and-set in one lock hold: installs the patched document only if
 * the job's version is still `expectedVersion` (one log append).
 */
export async function updateJob(
  engine: StoreEngine,
  clock: Clock,
  id: string,
  expectedVersion: number,
  patch: JobPatch,
): Promise<JobDocument | null> {
  engine.docs.fileOf(id);
  if (patch === null || typeof patch !== 'object') {
    throw new InvalidInputError('patch', 'must be an object of fields to change');
  }
  const after = await engine.locked(() => {
    if (currentVersion(engine, id) !== expectedVersion) return null;
    const doc = readLocked(engine, id);
    if (!doc || doc.version !== expectedVersion) return null;
    const next = applyJobPatch(doc, patch, clock.now());
    engine.commit([{ id, doc: next }]);
    return next;
  });
  if (after) await engine.synced();
  return after;
}

/** Deletes a job (guarded by version when given) and frees its key. */
export async function deleteJob(
  engine: StoreEngine,
  id: string,
  expectedVersion: number | undefined,
): Promise<boolean> {
  engine.docs.fileOf(id);
  const deleted = await engine.locked(() => {
    const version = currentVersion(engine, id);
    if (version === null || (expectedVersion !== undefined && version !== expectedVersion)) return false;
    const key = engine.index.entries.get(id)?.key ?? null;
    engine.commit([{ id, doc: null, key }]);
    return true;
  });
  if (deleted) await engine.synced(true);
  return deleted;
}

/** The job's version under the lock (the index's: exact once caught up with the log); `null` when absent. */
export function currentVersion(engine: StoreEngine, id: string): number | null {
  return engine.index.entries.get(id)?.version ?? null;
}

/**
 * Deletes up to `limit` terminal jobs that finished before `before` (the
 * `prune` capability): one commit and one folder fsync for the batch.
 */
export async function pruneJobs(engine: StoreEngine, before: number, limit: number): Promise<number> {
  if (typeof before !== 'number' || Number.isNaN(before)) {
    throw new InvalidInputError('before', `must be epoch milliseconds, got ${String(before)}`);
  }
  if (!(limit > 0)) return 0;
  const pruned = await engine.locked(() => {
    const writes: CommitWrite[] = [];
    for (const status of TERMINAL_STATUSES) {
      for (const id of engine.index.idsWith(status)) {
        if (writes.length >= limit) break;
        const entry = engine.index.entries.get(id);
        if (entry && entry.finishedAt !== null && entry.finishedAt < before) {
          writes.push({ id, doc: null, key: entry.key });
        }
      }
    }
    engine.commit(writes);
    return writes.length;
  });
  if (pruned > 0) await engine.synced(true);
  return pruned;
}
