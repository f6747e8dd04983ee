import { JOB_STATUSES, type JobQuery, type JobStatus } from '@jobservice/core';
import { HttpError } from './http-error.js';

const STATUSES: readonly JobStatus[] = JOB_STATUSES;
const MAX_LIMIT = 200;

/** The job list's filters, parsed from its query string. */
export interface JobFilter {
  query: JobQuery;
  /** Text the job id must contain (an exact id is looked up with `get`). */
  text: string | null;
}

function bad(parameter: string, why: string): never {
  throw new HttpError(400, `invalid query parameter "${parameter}": ${why}`);
}

/**
 * Parses `status`, `name`, `q`, `label` (`key:value`, repeatable), `cursor`
 * and `limit`; a malformed one is a 400 naming the parameter.
 */
export function parseJobFilter(params: URLSearchParams): JobFilter {
  const query: JobQuery = {};
  const statuses = params.getAll('status').filter((s) => s !== '');
  for (const status of statuses) {
    if (!STATUSES.includes(status as JobStatus)) bad('status', `expected one of ${STATUSES.join(', ')}`);
  }
  if (statuses.length > 0) query.statuses = statuses as JobStatus[];
  const names = params.getAll('name').filter((n) => n !== '');
  for (const name of names) if (name.length > 128) bad('name', 'longer than 128 characters');
  if (names.length > 0) query.names = names;
  const labels: Record<string, string> = {};
  for (const label of params.getAll('label').filter((l) => l !== '')) {
    const at = label.indexOf(':');
    if (at <= 0) bad('label', 'expected key:value');
    labels[label.slice(0, at)] = label.slice(at + 1);
  }
  if (Object.keys(labels).length > 0) query.labels = labels;
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
      bad('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
    query.limit = n;
  } else {
    query.limit = 25;
  }
  const cursor = params.get('cursor');
  if (cursor !== null && cursor !== '') {
    if (cursor.length > 512) bad('cursor', 'too long');
    query.cursor = cursor;
  }
  const text = params.get('q');
  if (text !== null && text.length > 512) bad('q', 'too long');
  return { query, text: text?.trim() ? text.trim() : null };
}

/** A path segment holding an id: decoded, non-empty, at most 512 characters. */
export function idSegment(raw: string, what: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `invalid ${what}: not URL-encoded`);
  }
  if (id === '' || id.length > 512) throw new HttpError(400, `invalid ${what}`);
  return id;
}
