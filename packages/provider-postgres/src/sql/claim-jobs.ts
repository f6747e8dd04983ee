import { claimLevels } from './claim-levels.js';
import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

const { ctes, due } = claimLevels('unnest($1::text[]) AS n(name)');

/**
 * Claims up to $2 due jobs whose name is one of $1 (distinct names) for
 * worker $3 with a lease of $4 ms, the first $5 in claim order started (and up to
 * $6 more started ahead: `LEASE_CLAIMED_ROWS`) and
 * the rest reserved (see `LEASE_CLAIMED_ROWS`). Each name's priorities are walked highest
 * first (see `claimLevels`); every level yields its due jobs locked with
 * SKIP LOCKED, and the best $2 of all are leased. Rows locked but not chosen
 * are freed when the statement commits.
 */
export const CLAIM_JOBS = sql(
  'claim_jobs',
  /* sql */ `${ctes},
c AS MATERIALIZED (
  SELECT x.id, x.priority, x.run_at
  FROM levels l
  CROSS JOIN LATERAL (${due}
  ) x
  ORDER BY x.priority DESC, x.run_at, x.id
  LIMIT $2::int
),
${LEASE_CLAIMED_ROWS}`,
);
