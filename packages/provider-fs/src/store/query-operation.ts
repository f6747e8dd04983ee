import {
  addCount,
  compareClaimOrder,
  DEFAULT_PAGE_SIZE,
  Heap,
  hasLabels,
  InvalidInputError,
  type JobCount,
  type JobDocument,
  type JobPage,
  type JobQuery,
  matchesQuery,
  pageOf,
} from '@jobservice/core';
import type { IndexEntry } from '../index/index-entry.js';
import type { JobIndex } from '../index/job-index.js';
import { readOrQuarantine } from './document-patch.js';
import type { StoreEngine } from './store-engine.js';

type Compare = (a: IndexEntry, b: IndexEntry) => number;

const byId: Compare = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Answers a query from the index: filters entries on the indexed fields,
 * picks the page's candidates in order (a bounded heap, not a full sort),
 * then reads each candidate's document and checks it again with core's
 * `matchesQuery`, so the page reflects the files even if the index lagged.
 */
export async function queryJobs(engine: StoreEngine, query: JobQuery): Promise<JobPage> {
  if (query === null || typeof query !== 'object') {
    throw new InvalidInputError('query', 'must be an object of filters');
  }
  await engine.refresh();
  const compare = query.order === 'claim' ? compareClaimOrder : byId;
  const candidates = candidatesOf(engine.index, query);
  const limit = Math.max(1, query.limit ?? DEFAULT_PAGE_SIZE);
  const want = query.order === 'claim' ? limit : limit + 1;
  let ordered = smallest(candidates, compare, want + 8);
  const matched: JobDocument[] = [];
  for (let i = 0; matched.length < want; i++) {
    if (i >= ordered.length) {
      if (ordered.length >= candidates.length) break;
      ordered = candidates.sort(compare); // some candidates did not hold up: take the rest in order
    }
    const entry = ordered[i] as IndexEntry;
    const doc = await readOrQuarantine(engine, entry.id);
    if (doc && matchesQuery(doc, query)) matched.push(doc);
  }
  return pageOf(matched, query);
}

/** Jobs by name and status, counted from the index (no document read). */
export async function countJobs(engine: StoreEngine): Promise<JobCount[]> {
  await engine.refresh();
  const counts = new Map<string, JobCount>();
  for (const entry of engine.index.entries.values()) addCount(counts, entry.name, entry.status);
  return [...counts.values()];
}

/** The entries that pass the query's filters, from the narrowest source (key, statuses, all). */
function candidatesOf(index: JobIndex, query: JobQuery): IndexEntry[] {
  const out: IndexEntry[] = [];
  if (query.key !== undefined) {
    const id = index.keys.get(query.key);
    const entry = id === undefined ? undefined : index.entries.get(id);
    if (entry && entryMatches(entry, query)) out.push(entry);
    return out;
  }
  if (!query.statuses) {
    for (const entry of index.entries.values()) if (entryMatches(entry, query)) out.push(entry);
    return out;
  }
  for (const status of new Set(query.statuses)) {
    for (const id of index.idsWith(status)) {
      const entry = index.entries.get(id);
      if (entry && entryMatches(entry, query)) out.push(entry);
    }
  }
  return out;
}

/** `matchesQuery` on an index entry's fields. */
function entryMatches(e: IndexEntry, q: JobQuery): boolean {
  if (q.statuses && !q.statuses.includes(e.status)) return false;
  if (q.names && !q.names.includes(e.name)) return false;
  if (q.key !== undefined && e.key !== q.key) return false;
  if (q.scheduleId !== undefined && e.scheduleId !== q.scheduleId) return false;
  if (q.labels !== undefined && !hasLabels(e.labels, q.labels)) return false;
  if (q.dueAt !== undefined && e.runAt > q.dueAt) return false;
  if (q.leaseExpiredAt !== undefined && (e.leaseExpiresAt === null || e.leaseExpiresAt >= q.leaseExpiredAt)) {
    return false;
  }
  if (q.finishedBefore !== undefined && (e.finishedAt === null || e.finishedAt >= q.finishedBefore)) {
    return false;
  }
  if (q.cursor && (q.order ?? 'id') === 'id' && e.id <= q.cursor) return false;
  return true;
}

/** The `k` smallest items in order, without sorting them all. */
function smallest(items: IndexEntry[], compare: Compare, k: number): IndexEntry[] {
  if (items.length <= k) return items.sort(compare);
  const worstFirst = new Heap<IndexEntry>((a, b) => compare(a, b) > 0);
  for (const item of items) {
    if (worstFirst.size < k) worstFirst.push(item);
    else if (compare(item, worstFirst.peek() as IndexEntry) < 0) {
      worstFirst.pop();
      worstFirst.push(item);
    }
  }
  const out: IndexEntry[] = [];
  for (let item = worstFirst.pop(); item; item = worstFirst.pop()) out.push(item);
  return out.reverse();
}
