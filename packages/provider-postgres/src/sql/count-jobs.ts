import { sql } from './sql-template.js';

/**
 * Jobs by name and status, one row per pair that has jobs. A scan of the
 * table (PostgreSQL keeps no row counts); gauges read it once per scrape.
 */
export const COUNT_JOBS = sql(
  'count_jobs',
  /* sql */ `SELECT name, status, count(*)::int AS count FROM {{schema}}.jobs GROUP BY name, status`,
);
