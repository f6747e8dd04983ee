import { sql } from './sql-template.js';

/**
 * Heartbeats a batch in one statement, each row fenced by id + lease token +
 * status = running: a new lease expiry and, where given, progress. Arrays:
 * $1 ids, $2 lease tokens, $3 lease lengths (ms), $4 progress (a JSON
 * array), $5 whether progress was given. Returns the written ids with their cancel requests.
 */
export const EXTEND_LEASES = sql(
  'extend_leases',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
e AS (
  SELECT *
  FROM ROWS FROM (
    unnest($1::text[]), unnest($2::bigint[]), unnest($3::bigint[]),
    jsonb_array_elements($4::jsonb), unnest($5::boolean[])
  ) AS e(id, lease_token, lease_ms, progress, has_progress)
)
UPDATE {{schema}}.jobs j SET
  lease_expires_at = t.now + e.lease_ms,
  progress = CASE WHEN e.has_progress THEN nullif(e.progress, 'null'::jsonb) ELSE j.progress END,
  version = j.version + 1,
  updated_at = t.now
FROM e, t
WHERE j.id = e.id AND j.lease_token = e.lease_token AND j.status = 'running'
RETURNING j.id, j.cancel_requested
`,
);
