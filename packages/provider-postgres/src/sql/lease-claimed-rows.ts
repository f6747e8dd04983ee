/**
 * The write both claim statements end with: lease the rows chosen in CTE `c`
 * at the store time in CTE `t` — running, attempt and lease token counted,
 * lease expiry `now + $4` ms, worker `$3` (core's `claimPatch`).
 */
export const LEASE_CLAIMED_ROWS = /* sql */ `
UPDATE {{schema}}.jobs j SET
  status = 'running',
  attempt = j.attempt + 1,
  lease_token = j.lease_token + 1,
  lease_expires_at = t.now + $4::bigint,
  worker_id = $3::text,
  started_at = t.now,
  version = j.version + 1,
  updated_at = t.now
FROM t
WHERE j.id = ANY (ARRAY(SELECT c.id FROM c))
RETURNING j.*
`;
