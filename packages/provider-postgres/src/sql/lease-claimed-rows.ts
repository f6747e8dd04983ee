/**
 * Whether a leased row `j` starts: claims start at all (`$5 > 0`) and the
 * row is not after `k`, the `$5`-th row in claim order (none when fewer
 * rows were chosen, and then every row starts).
 */
const STARTS = /* sql */ `($5::int > 0 AND (k.id IS NULL OR j.priority > k.priority
    OR (j.priority = k.priority AND (j.run_at, j.id) <= (k.run_at, k.id))))`;

/**
 * The CTE and write both claim statements end with, after their CTE `c`
 * (`id, priority, run_at` of the chosen rows): lease them at the store time
 * in CTE `t` — running, lease token counted, lease expiry `now + $4` ms,
 * worker `$3` (core's `claimPatch`). The first `$5` rows in claim order
 * start (attempt counted, `started_at = now`, not reserved); the rest are
 * reserved (attempt and `started_at` as they were).
 *
 * `k` is found by a top-N sort over the at most `$2` chosen rows, never
 * over the table; the rows themselves are still found by primary key from
 * the array of `c`'s ids.
 */
export const LEASE_CLAIMED_ROWS = /* sql */ `
k AS MATERIALIZED (
  SELECT c.priority, c.run_at, c.id
  FROM c
  ORDER BY c.priority DESC, c.run_at, c.id
  OFFSET greatest($5::int - 1, 0)
  LIMIT 1
)
UPDATE {{schema}}.jobs j SET
  status = 'running',
  attempt = CASE WHEN ${STARTS} THEN j.attempt + 1 ELSE j.attempt END,
  started_at = CASE WHEN ${STARTS} THEN t.now ELSE j.started_at END,
  reserved = NOT ${STARTS},
  lease_token = j.lease_token + 1,
  lease_expires_at = t.now + $4::bigint,
  worker_id = $3::text,
  version = j.version + 1,
  updated_at = t.now
FROM t LEFT JOIN k ON true
WHERE j.id = ANY (ARRAY(SELECT c.id FROM c))
RETURNING j.*
`;
