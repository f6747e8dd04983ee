import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

/**
 * Claims up to $2 due jobs whose name is one of $1 (distinct names) for
 * worker $3 with a lease of $4 ms. For each name, the priorities present are
 * walked highest first (`levels`, one index descent each, as in
 * `CLAIM_JOBS_BY_NAME`, so jobs due later bound every scan); each level
 * yields its due jobs in (run_at, id) order, locked with SKIP LOCKED, and the
 * best $2 of all are leased. Rows locked but not chosen are freed when the
 * statement commits.
 */
export const CLAIM_JOBS = sql(
  'claim_jobs',
  /* sql */ `
WITH RECURSIVE t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
levels AS (
  SELECT n.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE j.status = 'scheduled' AND j.name = n.name
     ORDER BY j.priority DESC LIMIT 1) AS priority
  FROM unnest($1::text[]) AS n(name)
  UNION ALL
  SELECT l.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE j.status = 'scheduled' AND j.name = l.name AND j.priority < l.priority
     ORDER BY j.priority DESC LIMIT 1)
  FROM levels l
  WHERE l.priority IS NOT NULL
),
c AS MATERIALIZED (
  SELECT x.id
  FROM levels l
  CROSS JOIN LATERAL (
    SELECT j.id, j.priority, j.run_at
    FROM {{schema}}.jobs j
    WHERE j.status = 'scheduled' AND j.name = l.name AND j.priority = l.priority
      AND j.run_at <= (SELECT now FROM t)
    ORDER BY j.run_at, j.id
    LIMIT $2::int
    FOR UPDATE OF j SKIP LOCKED
  ) x
  ORDER BY x.priority DESC, x.run_at, x.id
  LIMIT $2::int
)
${LEASE_CLAIMED_ROWS}`,
);
