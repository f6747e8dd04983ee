import {
  applyJobPatch,
  type ClaimRequest,
  type Clock,
  claimPatch,
  holdsLease,
  InvalidInputError,
  isClaimable,
  type JobDocument,
  type JobPatch,
} from '@jobservice/core';
import type { IndexEntry } from '../index/index-entry.js';
import { isCorrupt } from './document-files.js';
import { readLocked } from './document-patch.js';
import type { CommitWrite } from './engine-types.js';
import type { StoreEngine } from './store-engine.js';

/** Claim rounds at most: a round whose candidates all went to other processes tries the next ones. */
const CLAIM_ROUNDS = 3;

/**
 * Claims due jobs. Each round pops the best candidates from this process's
 * claim queue, checks each against its file and writes the claimed
 * documents (fsynced with full durability) before taking the lock; under the
 * lock it installs those whose version did not move (one commit, one folder
 * fsync for the batch). Candidates another process claimed first are
 * dropped, and the next round tries the following ones.
 */
export async function claimJobs(
  engine: StoreEngine,
  clock: Clock,
  request: ClaimRequest,
): Promise<JobDocument[]> {
  checkClaimRequest(request);
  if (!(request.limit > 0) || request.names.length === 0) return [];
  const names = new Set(request.names);
  const claimed: JobDocument[] = [];
  for (let round = 0; round < CLAIM_ROUNDS && claimed.length < request.limit; round++) {
    const { won, lost } = await claimRound(engine, clock, request, names, request.limit - claimed.length);
    claimed.push(...won);
    if (lost === 0) break;
  }
  if (claimed.length > 0) await engine.synced();
  return claimed;
}

async function claimRound(
  engine: StoreEngine,
  clock: Clock,
  request: ClaimRequest,
  names: ReadonlySet<string>,
  want: number,
): Promise<{ won: JobDocument[]; lost: number }> {
  await engine.refresh();
  const now = clock.now();
  const queue = engine.index.claimQueue();
  const picked: Array<{ entry: IndexEntry; doc: JobDocument }> = [];
  const suspect: string[] = [];
  while (picked.length < want) {
    const entry = queue.pop(names, now);
    if (!entry) break;
    const doc = engine.docs.read(entry.id);
    if (isCorrupt(doc) || !doc || doc.version !== entry.version) suspect.push(entry.id);
    if (isCorrupt(doc) || !doc || !isClaimable(doc, now, names)) continue;
    picked.push({ entry, doc });
  }
  if (picked.length === 0 && suspect.length === 0) return { won: [], lost: 0 };
  const docs = picked.map(({ doc }) => applyJobPatch(doc, claimPatch(doc, request, now), now));
  const temps = await engine.docs.prepare(docs);
  const used = new Set<number>();
  try {
    const won = await engine.locked(() => {
      for (const id of suspect) settleDisagreement(engine, id);
      const writes: CommitWrite[] = [];
      const out: JobDocument[] = [];
      docs.forEach((doc, i) => {
        if (engine.index.entries.get(doc.id)?.version !== doc.version - 1) return; // claimed elsewhere first
        used.add(i);
        writes.push({ id: doc.id, doc, temp: temps[i] as string });
        out.push(doc);
      });
      engine.commit(writes);
      return out;
    });
    return { won, lost: docs.length - won.length };
  } catch (error) {
    used.clear();
    for (const { entry } of picked) engine.index.requeue(entry);
    throw error;
  } finally {
    temps.forEach((temp, i) => {
      if (!used.has(i)) engine.docs.discard(temp);
    });
  }
}

/** Under the lock: quarantines a corrupt document, or re-logs one the index disagrees with. */
function settleDisagreement(engine: StoreEngine, id: string): void {
  const doc = readLocked(engine, id);
  if ((engine.index.entries.get(id)?.version ?? null) !== (doc?.version ?? null)) engine.correct(id, doc);
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
}

/** A write fenced by `id + leaseToken + status = running`. */
export interface FencedItem {
  id: string;
  leaseToken: number;
}

interface Plan {
  /** The document after each item's write, or `null` when the fence refused it. */
  afters: Array<JobDocument | null>;
  /** The last document per written job, with the version it was based on. */
  finals: Array<{ id: string; base: number; doc: JobDocument }>;
}

/**
 * Applies fenced writes (settle, heartbeat) in order: each item's patch only
 * when its job is running under its lease token. Documents are prepared
 * (fsynced) before the lock and installed under it when their versions did
 * not move; when one did, the batch is planned again from the files under
 * the lock. Returns each item's document after its write, or `null`.
 */
export async function fencedWrites<T extends FencedItem>(
  engine: StoreEngine,
  clock: Clock,
  items: readonly T[],
  patchOf: (doc: JobDocument, item: T, now: number) => JobPatch,
): Promise<Array<JobDocument | null>> {
  if (!Array.isArray(items)) throw new InvalidInputError('items', 'must be an array');
  for (const item of items) engine.docs.fileOf(item?.id);
  if (items.length === 0) return [];
  const now = clock.now();
  const plan = (read: (id: string) => JobDocument | null): Plan => {
    const latest = new Map<string, JobDocument | null>();
    const base = new Map<string, number>();
    const afters: Array<JobDocument | null> = [];
    for (const item of items) {
      let doc: JobDocument | null;
      if (latest.has(item.id)) doc = latest.get(item.id) ?? null;
      else {
        doc = read(item.id);
        if (doc) base.set(item.id, doc.version);
      }
      if (!doc || !holdsLease(doc, item.leaseToken)) {
        latest.set(item.id, doc);
        afters.push(null);
        continue;
      }
      const after = applyJobPatch(doc, patchOf(doc, item, now), now);
      latest.set(item.id, after);
      afters.push(after);
    }
    const finals: Plan['finals'] = [];
    for (const [id, doc] of latest) {
      const from = base.get(id);
      if (doc && from !== undefined && doc.version !== from) finals.push({ id, base: from, doc });
    }
    return { afters, finals };
  };
  const corrupt: string[] = [];
  let current = plan((id) => {
    const result = engine.docs.read(id);
    if (!isCorrupt(result)) return result;
    corrupt.push(id);
    return null;
  });
  if (current.finals.length === 0 && corrupt.length === 0) return current.afters; // every fence refused: nothing to write
  let temps = await engine.docs.prepare(current.finals.map((f) => f.doc));
  let committed = false;
  try {
    const afters = await engine.locked(async () => {
      for (const id of corrupt) readLocked(engine, id);
      const moved = current.finals.some((f) => engine.index.entries.get(f.id)?.version !== f.base);
      if (moved) {
        for (const temp of temps) engine.docs.discard(temp);
        temps = [];
        current = plan((id) => readLocked(engine, id));
        temps = await engine.docs.prepare(current.finals.map((f) => f.doc));
      }
      engine.commit(current.finals.map((f, i) => ({ id: f.id, doc: f.doc, temp: temps[i] as string })));
      committed = true;
      return current.afters;
    });
    await engine.synced();
    return afters;
  } finally {
    if (!committed) for (const temp of temps) engine.docs.discard(temp);
  }
}
