/** Row `j` is not after row `x` in claim order (priority desc, run_at, id); true when `x` is missing. */
function notAfter(x: string): string {
  return `(${x}.id IS NULL OR j.priority > ${x}.priority
    OR (j.priority = ${x}.priority AND (j.run_at, j.id) <= (${x}.run_at, ${x}.id)))`;
}

/**
 * Whether a leased row `j` starts (core's `claimStarter`): it is not after
 * `k`, the `$5`-th row in claim order, or — started ahead — it is not after
 * `k2`, the `($5 + $6)`-th, and may start ahead (core's `mayStartAhead`:
 * not recovering, an attempt to spare).
 * A missing `k` / `k2` (fewer rows chosen) lets every such row through.
 */
const STARTS = /* sql */ `(($5::int > 0 AND ${notAfter('k')})
    OR ($6::int > 0 AND NOT j.recovering AND j.attempt + 2 <= j.max_attempts AND ${notAfter('k2')}))`;

/**
 * The CTE and write both claim statements end with, after their CTE `c`
 * (`id, priority, run_at` of the chosen rows): lease them at the store time
 * in CTE `t` — running, lease token counted, lease expiry `now + $4` ms,
 * worker `$3` (core's `claimPatch`). The first `$5` rows in claim order
 * start (attempt counted, `started_at = now`, not reserved); the rest are
 * reserved (attempt and `started_at` as they were). `named` (SQL on `j`)
 * says which leased rows hold a slot of their name's cluster-wide cap;
 * with `cte`, the write is that CTE (`… , cte AS (UPDATE … RETURNING j.*)`).
 *
 * `k` is found by a top-N sort over the at most `$2` chosen rows, never
 * over the table; the rows themselves are still found by primary key from
 * the array of `c`'s ids.
 */
export function leaseClaimedRows(named = 'false', cte?: string): string {
  const [open, close] = cte ? [`${cte} AS (\n`, ')'] : ['', ''];
  return /* sql */ `
k AS MATERIALIZED (
  SELECT c.priority, c.run_at, c.id
  FROM c
  ORDER BY c.priority DESC, c.run_at, c.id
  OFFSET greatest($5::int - 1, 0)
  LIMIT 1
),
k2 AS MATERIALIZED (
  SELECT c.priority, c.run_at, c.id
  FROM c
  ORDER BY c.priority DESC, c.run_at, c.id
  OFFSET greatest($5::int + $6::int - 1, 0)
  LIMIT 1
)
${cte ? ',' : ''}
${open}UPDATE {{schema}}.jobs j SET
  status = 'running',
  attempt = CASE WHEN ${STARTS} THEN j.attempt + 1 ELSE j.attempt END,
  started_at = CASE WHEN ${STARTS} THEN t.now ELSE j.started_at END,
  reserved = NOT ${STARTS},
  lease_token = j.lease_token + 1,
  lease_expires_at = t.now + $4::bigint,
  worker_id = $3::text,
  flow_named = ${named},
  flow_parked = false,
  version = j.version + 1,
  updated_at = t.now
FROM t LEFT JOIN k ON true LEFT JOIN k2 ON true
WHERE j.id = ANY (ARRAY(SELECT c.id FROM c))
RETURNING j.*${close}
`;
}

/**
 * {@link leaseClaimedRows} for a plain claim (no row holds a name slot), the
 * write as CTE `upd` for the statement to end with `PLAIN_CLAIM_RESULT`.
 */
export const LEASE_CLAIMED_ROWS = leaseClaimedRows('false', 'upd');
