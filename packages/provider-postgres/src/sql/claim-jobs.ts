import { claimLevels } from './claim-levels.js';
import { flowProbe, PLAIN_CLAIM_RESULT } from './flow-probe.js';
import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

const NAMES = 'unnest($1::text[]) AS n(name)';
const { ctes, due } = claimLevels(NAMES);

/**
 * Claims up to $2 due jobs without flow control whose name is one of $1
 * (distinct names) for worker $3 with a lease of $4 ms, the first $5 in
 * claim order started (and up to $6 more started ahead: `LEASE_CLAIMED_ROWS`) and
 * the rest reserved (see `LEASE_CLAIMED_ROWS`). Each name's priorities are walked highest
 * first (see `claimLevels`); every level yields its due jobs locked with
 * SKIP LOCKED, and the best $2 of all are leased. Rows locked but not chosen
 * are freed when the statement commits. When gated work is due for these
 * names (`flowProbe`) it leases nothing and returns one `flow_pending` row.
 */
export const CLAIM_JOBS = sql(
  'claim_jobs',
  /* sql */ `${ctes},
${flowProbe(NAMES)},
c AS MATERIALIZED (
  SELECT x.id, x.priority, x.run_at
  FROM levels l
  CROSS JOIN LATERAL (${due}
  ) x
  WHERE NOT (SELECT gated FROM need)
  ORDER BY x.priority DESC, x.run_at, x.id
  LIMIT $2::int
),
${LEASE_CLAIMED_ROWS}
${PLAIN_CLAIM_RESULT}`,
);
