import { checkLabels, InvalidInputError, type JobQuery } from '@jobservice/core';
import * as check from '../input-checks.js';
import { textArray } from '../pg-array.js';
import { type SqlTemplate, sql } from './sql-template.js';

/** The default page size of a query (as core's memory store). */
export const DEFAULT_PAGE_SIZE = 100;

const templates = new Map<string, SqlTemplate>();

/** A query statement and its values; `limit` is the page size asked for. */
export interface QueryStatement {
  template: SqlTemplate;
  values: unknown[];
  limit: number;
}

/**
 * Builds the SELECT for a {@link JobQuery}: every filter a bind parameter,
 * `order: 'id'` (pageable, one row beyond the page to know whether another
 * follows) or `order: 'claim'`. One statement text per combination of filters.
 */
export function buildQueryJobs(query: JobQuery): QueryStatement {
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
  const limit = Math.max(1, Math.min(Math.trunc(rawLimit), 2 ** 31 - 2));
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(condition(`$${values.length}`));
  };
  if (query.statuses !== undefined) {
    const statuses = array(query.statuses, 'query.statuses', check.status);
    // A literal lets the planner use the partial index of waiting jobs' parents.
    if (statuses.length === 1 && statuses[0] === 'waiting') conditions.push(`status = 'waiting'`);
    else add((p) => `status = ANY(${p}::text[])`, statuses);
  }
  if (query.names !== undefined) {
    add((p) => `name = ANY(${p}::text[])`, array(query.names, 'query.names', check.text));
  }
  if (query.key !== undefined) add((p) => `key = ${p}::text`, check.text(query.key, 'query.key'));
  if (query.scheduleId !== undefined) {
    add((p) => `schedule_id = ${p}::text`, check.text(query.scheduleId, 'query.scheduleId'));
  }
  if (query.parentIds !== undefined) {
    if (!Array.isArray(query.parentIds))
      throw new InvalidInputError('query.parentIds', 'must be an array of job ids');
    const ids = query.parentIds.map((id, i) => check.text(id, `query.parentIds[${i}]`));
    add((p) => `parents && ${p}::text[]`, textArray(ids));
  }
  if (query.labels !== undefined) {
    const labels = checkLabels(query.labels, 'query.labels');
    if (Object.keys(labels).length > 0) add((p) => `labels @> ${p}::jsonb`, JSON.stringify(labels));
  }
  if (query.dueAt !== undefined) add((p) => `run_at <= ${p}::bigint`, check.int8(query.dueAt, 'query.dueAt'));
  if (query.leaseExpiredAt !== undefined) {
    add((p) => `lease_expires_at < ${p}::bigint`, check.int8(query.leaseExpiredAt, 'query.leaseExpiredAt'));
  }
  if (query.finishedBefore !== undefined) {
    add((p) => `finished_at < ${p}::bigint`, check.int8(query.finishedBefore, 'query.finishedBefore'));
  }
  if (order === 'id' && query.cursor) add((p) => `id > ${p}::text`, check.text(query.cursor, 'query.cursor'));
  values.push(order === 'id' ? limit + 1 : limit);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const orderBy = order === 'id' ? 'id' : 'priority DESC, run_at, id';
  const text = `SELECT * FROM {{schema}}.jobs${where} ORDER BY ${orderBy} LIMIT $${values.length}::int`;
  let template = templates.get(text);
  if (!template) {
    template = sql('query_jobs', text);
    templates.set(text, template);
  }
  return { template, values, limit };
}

function array<T>(value: unknown, field: string, each: (item: unknown, field: string) => T): T[] {
  if (!Array.isArray(value)) throw new InvalidInputError(field, 'must be an array');
  return value.map((item, i) => each(item, `${field}[${i}]`));
}
