import { sql } from './sql-template.js';

/** The insert both statements start with: CTE `t` (store time) and CTE `ins` (the created id, if any). */
const INSERT_ONE = /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
ins AS (
  INSERT INTO {{schema}}.jobs (id, name, status, priority, max_attempts, run_at, timeout_ms,
    created_at, updated_at, key, schedule_id, metadata, backoff, traceparent, tracestate, labels,
    parents, on_parent_failure, concurrency_key, concurrency_limit, rate_limit)
  SELECT $1::text, $2::text, CASE WHEN $15::text[] IS NULL THEN 'scheduled' ELSE 'waiting' END, $3::int,
    $4::int, coalesce($5::bigint, t.now + $6::bigint), $7::bigint, t.now, t.now, $8::text, $9::text,
    $10::json, $11::jsonb, $12::text, $13::text, $14::jsonb, $15::text[], $16::text,
    $17::text, $18::int, $19::jsonb
  FROM t
  ON CONFLICT DO NOTHING
  RETURNING id
)`;

/** Without a created row: the holder of key $8, if any. */
const HOLDER_OF_KEY = /* sql */ `
SELECT j.id, false AS created
FROM {{schema}}.jobs j
WHERE $8::text IS NOT NULL AND j.key = $8::text AND NOT EXISTS (SELECT 1 FROM ins)`;

/**
 * Inserts one scheduled job, or finds the job holding its idempotency key.
 * $1 id, $2 name, $3 priority, $4 max attempts, $5 run at (or null),
 * $6 delay ms, $7 timeout ms, $8 key, $9 schedule id, $10 metadata,
 * $11 backoff, $12 traceparent, $13 tracestate, $14 labels (or null), $15 parents (or null: a
 * continuation is inserted `waiting`), $16 on parent failure (or null), $17 concurrency key, $18 its limit, $19 rate limit (JSON; each or null). Returns `(id, created)`; no row when the id (or, racing a
 * concurrent commit, the key) was taken and the caller must look again.
 */
export const INSERT_JOB = sql(
  'insert_job',
  /* sql */ `${INSERT_ONE}
SELECT id, true AS created FROM ins
UNION ALL ${HOLDER_OF_KEY}`,
);

/**
 * `INSERT_JOB`, and when the job is created, `pg_notify($20, $21)` in the
 * same statement: the doorbell rings with the write, one round trip.
 */
export const INSERT_JOB_AND_RING = sql(
  'insert_job_and_ring',
  /* sql */ `${INSERT_ONE}
SELECT ins.id, true AS created
FROM ins CROSS JOIN LATERAL (SELECT pg_notify($20::text, $21::text) WHERE ins.id IS NOT NULL) AS rung
UNION ALL ${HOLDER_OF_KEY}`,
);
