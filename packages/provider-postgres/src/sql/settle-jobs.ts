import { sql } from './sql-template.js';

/**
 * Settles a batch in one statement, each row fenced by id + lease token +
 * status = running, mirroring core's `settlePatch` for every outcome.
 * Arrays: $1 ids, $2 lease tokens, $3 outcomes, $4 results and $5 errors
 * (JSON arrays; null for none), $6 retry delays (ms). Returns the ids that
 * were written.
 */
export const SETTLE_JOBS = sql(
  'settle_jobs',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
s AS (
  SELECT id, lease_token, outcome, nullif(result, 'null'::jsonb) AS result,
    nullif(error, 'null'::jsonb) AS error, delay_ms
  FROM ROWS FROM (
    unnest($1::text[]), unnest($2::bigint[]), unnest($3::text[]),
    jsonb_array_elements($4::jsonb), jsonb_array_elements($5::jsonb), unnest($6::bigint[])
  ) AS s(id, lease_token, outcome, result, error, delay_ms)
)
UPDATE {{schema}}.jobs j SET
  status = CASE WHEN s.outcome IN ('retry', 'release') THEN 'scheduled' ELSE s.outcome END,
  result = CASE WHEN s.outcome = 'completed' THEN s.result ELSE j.result END,
  error = CASE s.outcome
    WHEN 'failed' THEN s.error
    WHEN 'retry' THEN s.error
    WHEN 'cancelled' THEN coalesce(s.error, j.error)
    ELSE j.error END,
  finished_at = CASE WHEN s.outcome IN ('completed', 'failed', 'cancelled') THEN t.now ELSE j.finished_at END,
  recovering = CASE WHEN s.outcome = 'release' THEN j.recovering ELSE false END,
  cancel_requested = CASE WHEN s.outcome = 'completed' THEN false ELSE j.cancel_requested END,
  run_at = CASE WHEN s.outcome = 'retry' THEN t.now + greatest(s.delay_ms, 0) ELSE j.run_at END,
  attempt = CASE WHEN s.outcome = 'release' THEN greatest(j.attempt - 1, 0) ELSE j.attempt END,
  lease_expires_at = NULL,
  worker_id = NULL,
  version = j.version + 1,
  updated_at = t.now
FROM s, t
WHERE j.id = s.id AND j.lease_token = s.lease_token AND j.status = 'running'
RETURNING j.id
`,
);
