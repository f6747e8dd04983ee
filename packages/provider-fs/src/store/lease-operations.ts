import {
  admitJob,
  applyJobPatch,
  type ClaimRequest,
  type Clock,
  checkNameLimits,
  claimPatch,
  claimStarter,
  DeferralNote,
  holdsLease,
  InvalidInputError,
  isClaimable,
  isGated,
  type JobDocument,
  type JobPatch,
  mayReserve,
  nameGate,
} from '@jobservice/core';
import type { IndexEntry } from '../index/index-entry.js';
import { correctFromFile, readLocked } from './document-patch.js';
import type { CommitWrite } from './engine-types.js';
import { ClaimFlow } from './flow-claim.js';
import type { RateFile } from './rate-file.js';
import type { StoreEngine } from './store-engine.js';

/**
 * Claims due jobs in one lock hold: pops the best candidates from this
 * process's claim queue (exact once caught up with the log), reads each
 * document, starts the first `request.start` (the rest are reserved: no
 * attempt counted), and commits the claimed ones as one log append (one fdatasync
 * with full durability, shared with concurrent commits). A candidate whose
 * file disagrees with the index is corrected or quarantined and skipped.
 *
 * Flow control is native, with core's `admitJob` on counts that are exact
 * under the lock: a candidate whose concurrency key or name (`nameLimits`)
 * is full is parked in the claim queue under that gate until a slot frees
 * (a full name takes no more candidates this claim); one whose rate window
 * (`rates.json`, shared by every process) is full gets its `runAt` moved to
 * when the window has room, a write in the same commit.
 */
export async function claimJobs(
  engine: StoreEngine,
  clock: Clock,
  rates: RateFile,
  request: ClaimRequest,
): Promise<JobDocument[]> {
  checkClaimRequest(request);
  if (!(request.limit > 0) || request.names.length === 0) return [];
  const names = new Set(request.names);
  const starts = claimStarter(request);
  // The claim queue is built (once per process) and the due jobs sorted into it before the
  // lock: with many jobs that is the long part, and the lock hold only catches up.
  engine.index.claimQueue().promote(clock.now());
  let wrote = false;
  const deferrals = new DeferralNote();
  const claimed = await engine.locked(async () => {
    const now = clock.now();
    const queue = engine.index.claimQueue();
    const flow = new ClaimFlow(engine.index.running, rates);
    /** Names still taking candidates: one whose cluster-wide parallelism is full drops out. */
    const open = new Set(names);
    const popped: IndexEntry[] = [];
    const seen = new Set<string>();
    const passed: IndexEntry[] = [];
    const writes: CommitWrite[] = [];
    const out: JobDocument[] = [];
    try {
      while (out.length < request.limit) {
        const entry = queue.pop(open, now);
        if (!entry) break;
        if (seen.has(entry.id)) continue; // a second copy (requeued after a failed claim): handled once
        seen.add(entry.id);
        popped.push(entry);
        const doc = readLocked(engine, entry.id);
        if ((doc?.version ?? null) !== entry.version && engine.index.entries.get(entry.id) === entry) {
          correctFromFile(engine, entry.id, doc); // the file disagrees with the index (changed by hand, or gone)
        }
        if (!doc || doc.version !== entry.version || !isClaimable(doc, now, names)) continue;
        const start = starts(out.length, doc);
        if (!start && !mayReserve(doc)) {
          passed.push(entry);
          continue;
        }
        if (isGated(doc, request)) {
          const admission = admitJob(doc, request, flow, now);
          if (admission.kind === 'blocked') {
            queue.park(admission.gate, entry);
            if (admission.gate === nameGate(doc.name)) open.delete(doc.name);
            continue;
          }
          if (admission.kind === 'defer') {
            writes.push({ id: doc.id, doc: applyJobPatch(doc, { runAt: admission.runAt }, now) });
            deferrals.add(admission.runAt, now);
            continue;
          }
          flow.took(doc, now);
        }
        const after = applyJobPatch(doc, claimPatch(doc, request, now, start), now);
        writes.push({ id: doc.id, doc: after });
        out.push(after);
      }
      await flow.save(now);
      engine.commit(writes);
      for (const entry of passed) engine.index.requeue(entry);
    } catch (error) {
      for (const entry of popped) engine.index.requeue(entry);
      throw error;
    }
    wrote = writes.length > 0;
    return out;
  });
  if (wrote) await engine.synced();
  deferrals.report(request);
  return claimed;
}

function checkClaimRequest(request: ClaimRequest): void {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.names)) {
    throw new InvalidInputError('request.names', 'must be an array of callback names');
  }
  if (typeof request.workerId !== 'string') {
    throw new InvalidInputError('request.workerId', 'must be a string naming the worker');
  }
  if (typeof request.leaseMs !== 'number' || !(request.leaseMs >= 0)) {
    throw new InvalidInputError(
      'request.leaseMs',
      `must be a number of milliseconds, got ${String(request.leaseMs)}`,
    );
  }
  checkNameLimits(request, request.names);
}

/** A write fenced by `id + leaseToken + status = running`. */
export interface FencedItem {
  id: string;
  leaseToken: number;
}

/**
 * Applies fenced writes (settle, heartbeat) in order, in one lock hold: each
 * item's patch only when `accepts` finds its job running under its lease
 * token (for settlements: core's `acceptsSettlement`, so a `start` also
 * needs the job reserved). The last
 * document of each written job goes into one commit (one log append; one
 * fdatasync with full durability). Returns each item's document after its
 * write, or `null`.
 */
export async function fencedWrites<T extends FencedItem>(
  engine: StoreEngine,
  clock: Clock,
  items: readonly T[],
  patchOf: (doc: JobDocument, item: T, now: number) => JobPatch,
  accepts: (doc: JobDocument, item: T) => boolean = (doc, item) => holdsLease(doc, item.leaseToken),
): Promise<Array<JobDocument | null>> {
  if (!Array.isArray(items)) throw new InvalidInputError('items', 'must be an array');
  for (const item of items) engine.docs.fileOf(item?.id);
  if (items.length === 0) return [];
  let wrote = false;
  const afters = await engine.locked(() => {
    const now = clock.now();
    const latest = new Map<string, JobDocument | null>();
    const changed = new Set<string>();
    const out: Array<JobDocument | null> = [];
    for (const item of items) {
      const doc = latest.has(item.id) ? (latest.get(item.id) ?? null) : readLocked(engine, item.id);
      if (!doc || !accepts(doc, item)) {
        latest.set(item.id, doc);
        out.push(null);
        continue;
      }
      const after = applyJobPatch(doc, patchOf(doc, item, now), now);
      latest.set(item.id, after);
      changed.add(item.id);
      out.push(after);
    }
    const writes: CommitWrite[] = [];
    for (const id of changed) writes.push({ id, doc: latest.get(id) as JobDocument });
    engine.commit(writes);
    wrote = writes.length > 0;
    return out;
  });
  if (wrote) await engine.synced();
  return afters;
}
