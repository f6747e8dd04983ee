import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

/**
 * Claims up to $2 due jobs of one name ($1) for worker $3 with a lease of $4
 * ms, in one statement: the locked rows are exactly the rows leased and
 * returned. RETURNING order is not claim order; the caller sorts.
 */
export const CLAIM_JOBS_BY_NAME = sql(
  'claim_jobs_by_name',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
c AS MATERIALIZED (
  SELECT j.id
  FROM {{schema}}.jobs j
  WHERE j.status = 'scheduled' AND j.name = $1::text AND j.run_at <= (SELECT now FROM t)
  ORDER BY j.priority DESC, j.run_at, j.id
  LIMIT $2::int
  FOR UPDATE SKIP LOCKED
)
${LEASE_CLAIMED_ROWS}`,
);
