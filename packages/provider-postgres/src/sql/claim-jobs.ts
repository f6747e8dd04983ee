import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

/**
 * Claims up to $2 due jobs whose name is one of $1 (distinct names) for
 * worker $3 with a lease of $4 ms. Each name walks its own slice of the claim
 * index in claim order (a lateral top-N per name, locked with SKIP LOCKED),
 * and the best $2 of those are leased; rows locked but not chosen are freed
 * when the statement commits.
 */
export const CLAIM_JOBS = sql(
  'claim_jobs',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
c AS MATERIALIZED (
  SELECT x.id
  FROM unnest($1::text[]) AS n(name)
  CROSS JOIN LATERAL (
    SELECT j.id, j.priority, j.run_at
    FROM {{schema}}.jobs j
    WHERE j.status = 'scheduled' AND j.name = n.name AND j.run_at <= (SELECT now FROM t)
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT $2::int
    FOR UPDATE OF j SKIP LOCKED
  ) x
  ORDER BY x.priority DESC, x.run_at, x.id
  LIMIT $2::int
)
${LEASE_CLAIMED_ROWS}`,
);
