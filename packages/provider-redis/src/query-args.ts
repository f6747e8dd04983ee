import { checkLabels, DEFAULT_PAGE_SIZE, InvalidInputError, type JobQuery } from '@jobservice/core';
import * as check from './input-checks.js';

/** A query as the query script reads it (absent = no filter). */
export interface QueryArgs {
  statuses?: string[];
  names?: string[];
  key?: string;
  scheduleId?: string;
  labels?: Record<string, string>;
  parentIds?: string[];
  dueAt?: number;
  leaseExpiredAt?: number;
  finishedBefore?: number;
  order: 'id' | 'claim';
  limit: number;
  cursor?: string;
}

/**
 * Checks a {@link JobQuery} (naming the bad field) and shapes it for the
 * query script; `null` when it can match nothing (an empty `statuses` or
 * `names` list).
 */
export function buildQuery(query: JobQuery): QueryArgs | null {
  if (query === null || typeof query !== 'object') {
    throw new InvalidInputError('query', 'must be an object of filters');
  }
  const order = query.order ?? 'id';
  if (order !== 'id' && order !== 'claim') {
    throw new InvalidInputError('query.order', `must be 'id' or 'claim', got ${String(order)}`);
  }
  const rawLimit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (typeof rawLimit !== 'number' || Number.isNaN(rawLimit)) {
    throw new InvalidInputError('query.limit', `must be a number, got ${String(rawLimit)}`);
  }
  const out: QueryArgs = { order, limit: Math.max(1, Math.min(Math.trunc(rawLimit), 2 ** 31 - 2)) };
  if (query.statuses !== undefined) {
    if (!Array.isArray(query.statuses)) throw new InvalidInputError('query.statuses', 'must be an array');
    out.statuses = [...new Set(query.statuses.map((s, i) => check.status(s, `query.statuses[${i}]`)))];
    if (out.statuses.length === 0) return null;
  }
  if (query.names !== undefined) {
    out.names = [...new Set(check.textArray(query.names, 'query.names'))];
    if (out.names.length === 0) return null;
  }
  if (query.key !== undefined) out.key = check.text(query.key, 'query.key');
  if (query.scheduleId !== undefined) out.scheduleId = check.text(query.scheduleId, 'query.scheduleId');
  if (query.labels !== undefined) {
    const labels = checkLabels(query.labels, 'query.labels');
    if (Object.keys(labels).length > 0) out.labels = labels;
  }
  if (query.parentIds !== undefined) {
    out.parentIds = [...new Set(check.textArray(query.parentIds, 'query.parentIds'))];
    if (out.parentIds.length === 0) return null;
  }
  if (query.dueAt !== undefined) out.dueAt = check.finite(query.dueAt, 'query.dueAt');
  if (query.leaseExpiredAt !== undefined)
    out.leaseExpiredAt = check.finite(query.leaseExpiredAt, 'query.leaseExpiredAt');
  if (query.finishedBefore !== undefined)
    out.finishedBefore = check.finite(query.finishedBefore, 'query.finishedBefore');
  if (order === 'id' && query.cursor) out.cursor = check.text(query.cursor, 'query.cursor');
  return out;
}
