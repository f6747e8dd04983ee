import { sql } from './sql-template.js';

/** The ids holding the idempotency keys $1 (an array). */
export const FIND_JOBS_BY_KEYS = sql(
  'find_jobs_by_keys',
  /* sql */ `SELECT id, key FROM {{schema}}.jobs WHERE key = ANY($1::text[])`,
);
