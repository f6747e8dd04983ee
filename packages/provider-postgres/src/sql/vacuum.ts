import { sql } from './sql-template.js';

/** Dead row versions in `<schema>.jobs` by the server's statistics; $1 is the schema name. */
export const COUNT_DEAD_ROWS = sql(
  'count_dead_rows',
  /* sql */ `
SELECT coalesce(max(n_dead_tup), 0)::bigint AS dead
FROM pg_stat_user_tables WHERE schemaname = $1::text AND relname = 'jobs'`,
);

/** Takes the per-schema vacuum lock for this session if it is free; $1 is the schema name. */
export const TRY_VACUUM_LOCK = sql(
  'try_vacuum_lock',
  /* sql */ `SELECT pg_try_advisory_lock(hashtextextended('jobservice.vacuum:' || $1::text, 0)) AS locked`,
  { prepare: false },
);

/** Releases the lock taken by {@link TRY_VACUUM_LOCK}. */
export const VACUUM_UNLOCK = sql(
  'vacuum_unlock',
  /* sql */ `SELECT pg_advisory_unlock(hashtextextended('jobservice.vacuum:' || $1::text, 0))`,
  { prepare: false },
);

/** Vacuums (and analyzes) the jobs table. Not inside a transaction. */
export const VACUUM_JOBS = sql('vacuum_jobs', /* sql */ `VACUUM (ANALYZE) {{schema}}.jobs`, {
  prepare: false,
});

/** Cancels the statement of backend $1 (a vacuum still running at close). */
export const CANCEL_BACKEND = sql('cancel_backend', /* sql */ `SELECT pg_cancel_backend($1::int)`, {
  prepare: false,
});
