import { sql } from './sql-template.js';

/**
 * Inserts one scheduled job, or finds the job holding its idempotency key.
 * $1 id, $2 name, $3 priority, $4 max attempts, $5 run at (or null),
 * $6 delay ms, $7 timeout ms, $8 key, $9 schedule id, $10 metadata,
 * $11 backoff. Returns `(id, created)`; no row when the id (or, racing a
 * concurrent commit, the key) was taken and the caller must look again.
 */
export const INSERT_JOB = sql(
  'insert_job',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
ins AS (
  INSERT INTO {{schema}}.jobs (id, name, status, priority, max_attempts, run_at, timeout_ms,
    created_at, updated_at, key, schedule_id, metadata, backoff)
  SELECT $1::text, $2::text, 'scheduled', $3::int, $4::int, coalesce($5::bigint, t.now + $6::bigint),
    $7::bigint, t.now, t.now, $8::text, $9::text, $10::jsonb, $11::jsonb
  FROM t
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT id, true AS created FROM ins
UNION ALL
SELECT j.id, false AS created
FROM {{schema}}.jobs j
WHERE $8::text IS NOT NULL AND j.key = $8::text AND NOT EXISTS (SELECT 1 FROM ins)
`,
);
