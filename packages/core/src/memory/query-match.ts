import type { JobDocument } from '../model/job.js';
import { compareClaimOrder } from '../model/job.js';
import { hasLabels } from '../model/labels.js';
import type { JobPage, JobQuery } from '../store/document-provider.js';

/** The default and largest page size of a query. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * True when `job` matches every filter of `query` (cursor included). Stores
 * that filter in memory (memory, file system) share this definition.
 */
export function matchesQuery(job: JobDocument, query: JobQuery): boolean {
  if (query.statuses && !query.statuses.includes(job.status)) return false;
  if (query.names && !query.names.includes(job.name)) return false;
  if (query.key !== undefined && job.key !== query.key) return false;
  if (query.scheduleId !== undefined && job.scheduleId !== query.scheduleId) return false;
  if (query.labels !== undefined && !hasLabels(job.labels, query.labels)) return false;
  if (query.parentIds !== undefined && !job.parents.some((p) => query.parentIds?.includes(p))) return false;
  if (query.dueAt !== undefined && job.runAt > query.dueAt) return false;
  if (
    query.leaseExpiredAt !== undefined &&
    (job.leaseExpiresAt === null || job.leaseExpiresAt >= query.leaseExpiredAt)
  ) {
    return false;
  }
  if (
    query.finishedBefore !== undefined &&
    (job.finishedAt === null || job.finishedAt >= query.finishedBefore)
  ) {
    return false;
  }
  if (query.cursor && (query.order ?? 'id') === 'id' && job.id <= query.cursor) return false;
  return true;
}

/** Sorts matched jobs as the query asks and cuts one page. */
export function pageOf(matched: JobDocument[], query: JobQuery): JobPage {
  const limit = Math.max(1, query.limit ?? DEFAULT_PAGE_SIZE);
  if (query.order === 'claim') {
    matched.sort(compareClaimOrder);
    return { items: matched.slice(0, limit), cursor: null };
  }
  matched.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const items = matched.slice(0, limit);
  const last = items[items.length - 1];
  return { items, cursor: matched.length > limit && last ? last.id : null };
}
