import { GATED_JOBS } from './claim-levels.js';

/**
 * The CTE `need` a plain claim adds (after `t`): whether gated work waits
 * for any name of `names` (a FROM item yielding `n(name)`) — a due gated job
 * not set aside (one descent of `jobs_flow_due_idx` per name) or a key slot
 * freed since the last claim of that name. When it does, the plain claim
 * leases nothing and says so, and the caller claims through the flow
 * transaction instead, which takes plain and gated jobs together in claim
 * order.
 */
export function flowProbe(names: string): string {
  return /* sql */ `
need AS MATERIALIZED (
  SELECT EXISTS (
      SELECT 1 FROM ${names}
      CROSS JOIN LATERAL (
        SELECT 1 FROM {{schema}}.jobs j
        WHERE ${GATED_JOBS} AND j.name = n.name AND j.run_at <= (SELECT now FROM t)
        LIMIT 1
      ) g
    ) OR EXISTS (
      SELECT 1 FROM ${names} JOIN {{schema}}.flow_freed f ON f.name = n.name
    ) AS gated
)`;
}

/**
 * How a plain claim ends: the leased rows of `upd` (flag false), then one
 * row of nulls flagged `flow_pending` when `need` found gated work.
 */
export const PLAIN_CLAIM_RESULT = /* sql */ `
SELECT upd.*, false AS flow_pending FROM upd
UNION ALL
SELECT (NULL::{{schema}}.jobs).*, true FROM need WHERE need.gated`;
