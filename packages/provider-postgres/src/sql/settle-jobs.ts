import { appendRecord } from './append-record.js';
import { sql } from './sql-template.js';

/** The setting that tells the change-feed row trigger this statement sends its own notifications. */
export const STATEMENT_NOTIFIES = 'jobservice.statement_notifies';

/**
 * Settles a batch in one statement, each row fenced by id + lease token +
 * status = running (and, for `start`, reserved), mirroring core's
 * `settlePatch` for every outcome. Arrays: $1 ids, $2 lease tokens,
 * $3 outcomes, $4 results and $5 errors (JSON arrays; null for none),
 * $6 retry delays (ms), $7 lease lengths of `start` (ms); $8 how many
 * history records a job keeps. Returns the ids that were written.
 *
 * - `start` begins a reserved job: attempt + 1, `started_at` and a new
 *   lease from now; status, worker and `recovering` stay.
 * - `release` goes back to `scheduled` and uncounts the attempt only when
 *   the job was started (a reserved job's attempt was never counted).
 * - `failed`, `retry`, a started job's `cancelled` and a `completed` after
 *   earlier attempts (a first-try success adds none: the hot path) append
 *   `{ attempt, outcome, startedAt, workerId, error, at }` to `history`
 *   (as core's `attemptRecord`); `completed` clears `error`. Every outcome but `start` ends the lease
 *   (and `reserved`).
 *
 * The change feed for the batch goes out from here, set-based: the jobs that
 * reached a terminal status, `[[id, status, cancelRequested], …]` in NOTIFYs
 * of under 8000 bytes on channel $9 (a job whose item alone is longer than
 * 900 bytes is left out: its waiters fall back to polling). `t` sets
 * `jobservice.statement_notifies` for this transaction before any row is
 * written, so the row trigger, which covers every other terminal write,
 * stays quiet instead of sending one NOTIFY per job. A `start` stays
 * `running` and notifies nobody.
 *
 * Each written row also says whether continuations were waiting on it
 * (`children_waiting`, a probe of the partial index of waiting jobs'
 * parents), so the dispatcher looks up children only for jobs that have some.
 */
export const SETTLE_JOBS = sql(
  'settle_jobs',
  /* sql */ `
WITH t AS MATERIALIZED (
  SELECT {{schema}}.now_ms() AS now, set_config('${STATEMENT_NOTIFIES}', 'on', true) AS notifies
),
s AS (
  SELECT id, lease_token, outcome, nullif(result, 'null'::jsonb) AS result,
    nullif(error, 'null'::jsonb) AS error, delay_ms, lease_ms
  FROM ROWS FROM (
    unnest($1::text[]), unnest($2::bigint[]), unnest($3::text[]),
    jsonb_array_elements($4::jsonb), jsonb_array_elements($5::jsonb), unnest($6::bigint[]),
    unnest($7::bigint[])
  ) AS s(id, lease_token, outcome, result, error, delay_ms, lease_ms)
),
u AS (
  UPDATE {{schema}}.jobs j SET
    status = CASE s.outcome
      WHEN 'retry' THEN 'scheduled'
      WHEN 'release' THEN 'scheduled'
      WHEN 'start' THEN j.status
      ELSE s.outcome END,
    result = CASE WHEN s.outcome = 'completed' THEN s.result ELSE j.result END,
    error = CASE s.outcome
      WHEN 'completed' THEN NULL
      WHEN 'failed' THEN s.error
      WHEN 'retry' THEN s.error
      WHEN 'cancelled' THEN coalesce(s.error, j.error)
      ELSE j.error END,
    history = CASE WHEN s.outcome IN ('failed', 'retry')
        OR (s.outcome = 'completed' AND jsonb_array_length(j.history) > 0)
        OR (s.outcome = 'cancelled' AND NOT j.reserved)
      THEN ${appendRecord(
        `jsonb_build_object(
        'attempt', j.attempt,
        'outcome', CASE s.outcome WHEN 'retry' THEN 'failed' ELSE s.outcome END,
        'startedAt', j.started_at, 'workerId', j.worker_id,
        'error', CASE WHEN s.outcome = 'completed' THEN NULL ELSE s.error END,
        'at', t.now)`,
        '$8::int',
      )}
      ELSE j.history END,
    finished_at = CASE WHEN s.outcome IN ('completed', 'failed', 'cancelled') THEN t.now ELSE j.finished_at END,
    recovering = CASE WHEN s.outcome IN ('release', 'start') THEN j.recovering ELSE false END,
    cancel_requested = CASE WHEN s.outcome = 'completed' THEN false ELSE j.cancel_requested END,
    run_at = CASE WHEN s.outcome = 'retry' THEN t.now + greatest(s.delay_ms, 0) ELSE j.run_at END,
    attempt = CASE
      WHEN s.outcome = 'start' THEN j.attempt + 1
      WHEN s.outcome = 'release' AND NOT j.reserved THEN greatest(j.attempt - 1, 0)
      ELSE j.attempt END,
    started_at = CASE WHEN s.outcome = 'start' THEN t.now ELSE j.started_at END,
    reserved = false,
    lease_expires_at = CASE WHEN s.outcome = 'start' THEN t.now + s.lease_ms ELSE NULL END,
    worker_id = CASE WHEN s.outcome = 'start' THEN j.worker_id ELSE NULL END,
    version = j.version + 1,
    updated_at = t.now
  FROM s, t
  WHERE j.id = s.id AND j.lease_token = s.lease_token AND j.status = 'running'
    AND (s.outcome <> 'start' OR j.reserved)
  RETURNING j.id, j.status, j.cancel_requested
),
items AS (
  SELECT u.id, json_build_array(u.id, u.status, u.cancel_requested)::text AS item
  FROM u
  WHERE u.status IN ('completed', 'failed', 'cancelled')
),
chunks AS (
  SELECT i.item, sum(octet_length(i.item) + 1) OVER (ORDER BY i.id) / 7000 AS chunk
  FROM items i
  WHERE octet_length(i.item) <= 900
),
sent AS (
  SELECT pg_notify($9::text, p.payload)
  FROM (SELECT '[' || string_agg(c.item, ',') || ']' AS payload FROM chunks c GROUP BY c.chunk) p
)
SELECT u.id,
  u.status IN ('completed', 'failed', 'cancelled') AND EXISTS (
    SELECT 1 FROM {{schema}}.jobs w WHERE w.status = 'waiting' AND w.parents && ARRAY[u.id]
  ) AS children_waiting
FROM u WHERE (SELECT count(*) FROM sent) >= 0
`,
);
