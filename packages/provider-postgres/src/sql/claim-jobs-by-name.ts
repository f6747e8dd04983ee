import { claimLevels } from './claim-levels.js';
import { flowProbe, PLAIN_CLAIM_RESULT } from './flow-probe.js';
import { LEASE_CLAIMED_ROWS } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

const NAMES = '(SELECT $1::text) AS n(name)';
const { ctes, due } = claimLevels(NAMES);

/**
 * Claims up to $2 due jobs without flow control of one name ($1) for worker
 * $3 with a lease of $4 ms, the first $5 in claim order started (and up to
 * $6 more started ahead) and the rest reserved, in one
 * statement: the locked rows are exactly the rows leased and returned.
 * RETURNING order is not claim order; the caller sorts. When gated work is
 * due for the name (`flowProbe`) it leases nothing and returns one
 * `flow_pending` row.
 *
 * It walks the priorities present highest first (see `claimLevels`) and
 * takes each level's due jobs until $2 are locked: the nested loop emits
 * rows already in claim order and the LIMIT stops it, so no row beyond the
 * $2 leased is locked.
 */
export const CLAIM_JOBS_BY_NAME = sql(
  'claim_jobs_by_name',
  /* sql */ `${ctes},
${flowProbe(NAMES)},
c AS MATERIALIZED (
  SELECT x.id, x.priority, x.run_at
  FROM levels l
  CROSS JOIN LATERAL (${due}
  ) x
  WHERE NOT (SELECT gated FROM need)
  LIMIT $2::int
),
${LEASE_CLAIMED_ROWS}
${PLAIN_CLAIM_RESULT}`,
);
