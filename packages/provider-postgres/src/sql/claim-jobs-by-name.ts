import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

/**
 * Claims up to $2 due jobs of one name ($1) for worker $3 with a lease of $4
 * ms, in one statement: the locked rows are exactly the rows leased and
 * returned. RETURNING order is not claim order; the caller sorts.
 *
 * The claim index is (name, priority DESC, run_at, id): within one priority
 * `run_at <= now` bounds the scan, across priorities it does not. So the
 * statement walks the priorities present (`levels`, highest first, one index
 * descent each) and takes each level's due jobs in (run_at, id) order until
 * $2 are locked: the nested loop emits rows already in claim order and the
 * LIMIT stops it, so no row beyond the $2 leased is locked, and a million
 * jobs due later cost a few descents instead of a scan.
 */
export const CLAIM_JOBS_BY_NAME = sql(
  'claim_jobs_by_name',
  /* sql */ `
WITH RECURSIVE t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
levels AS (
  SELECT (SELECT j.priority FROM {{schema}}.jobs j
          WHERE j.status = 'scheduled' AND j.name = $1::text
          ORDER BY j.priority DESC LIMIT 1) AS priority
  UNION ALL
  SELECT (SELECT j.priority FROM {{schema}}.jobs j
          WHERE j.status = 'scheduled' AND j.name = $1::text AND j.priority < l.priority
          ORDER BY j.priority DESC LIMIT 1)
  FROM levels l
  WHERE l.priority IS NOT NULL
),
c AS MATERIALIZED (
  SELECT x.id
  FROM levels l
  CROSS JOIN LATERAL (
    SELECT j.id
    FROM {{schema}}.jobs j
    WHERE j.status = 'scheduled' AND j.name = $1::text AND j.priority = l.priority
      AND j.run_at <= (SELECT now FROM t)
    ORDER BY j.run_at, j.id
    LIMIT $2::int
    FOR UPDATE OF j SKIP LOCKED
  ) x
  LIMIT $2::int
)
${LEASE_CLAIMED_ROWS}`,
);
