import { sql } from './sql-template.js';

/** Deletes job $1, guarded by version $2 unless it is null. */
export const DELETE_JOB = sql(
  'delete_job',
  /* sql */ `DELETE FROM {{schema}}.jobs WHERE id = $1::text AND ($2::int IS NULL OR version = $2::int)`,
);

/**
 * Deletes up to $2 terminal jobs that finished before $1 (epoch ms), oldest
 * first, skipping rows another session holds; returns how many.
 */
export const PRUNE_JOBS = sql(
  'prune_jobs',
  /* sql */ `
WITH doomed AS (
  SELECT id FROM {{schema}}.jobs
  WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < $1::bigint
  ORDER BY finished_at
  LIMIT $2::int
  FOR UPDATE SKIP LOCKED
)
DELETE FROM {{schema}}.jobs j USING doomed WHERE j.id = doomed.id
`,
);
