import { appendRecord } from './append-record.js';
import { sql } from './sql-template.js';

/** The error a recovery writes: a lost lease, or a cancel whose worker went away. */
const LAPSE_ERROR = /* sql */ `jsonb_build_object('message', CASE
    WHEN j.cancel_requested
      THEN 'cancelled: its worker ' || coalesce(j.worker_id, 'unknown') || ' lost the lease'
    ELSE 'lease expired on worker ' || coalesce(j.worker_id, 'unknown') || ' (attempt ' || j.attempt || ')'
  END)`;

/** The job had started (its attempt is counted) and no cancel was requested. */
const STARTED = /* sql */ `(NOT j.cancel_requested AND NOT j.reserved)`;

/**
 * The reaper in one statement: recovers up to $1 jobs whose lease lapsed
 * before the store's time, lowest id first, skipping rows another session
 * holds (a worker settling or heartbeating one right now), and mirrors
 * core's `recoverPatch`; $2 is how many history records a job keeps.
 * Returns the rows after the write.
 *
 * - cancel requested → `cancelled`, finished now, with the lost-lease error
 *   (and, when it had started, the lapse in `history`);
 * - reserved (never started) → `scheduled`, nothing else changed;
 * - started → the lapse recorded in `error` and `history`, `recovering`
 *   set, and `failed` (finished now) when its attempts are spent, else
 *   `scheduled` keeping `run_at`.
 *
 * `lapsed` walks the small running-jobs index in id order and locks what it
 * picks; the write finds those rows by primary key and repeats the guard
 * (running, lease lapsed), so it holds at write time whatever the plan.
 * Terminal rows are announced by the change feed's row trigger, as for any
 * terminal write outside settle.
 */
export const RECOVER_JOBS = sql(
  'recover_jobs',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
lapsed AS MATERIALIZED (
  SELECT j.id
  FROM {{schema}}.jobs j
  WHERE j.status = 'running' AND j.lease_expires_at < (SELECT now FROM t)
  ORDER BY j.id
  LIMIT $1::int
  FOR UPDATE OF j SKIP LOCKED
)
UPDATE {{schema}}.jobs j SET
  status = CASE
    WHEN j.cancel_requested THEN 'cancelled'
    WHEN NOT j.reserved AND j.attempt >= j.max_attempts THEN 'failed'
    ELSE 'scheduled' END,
  finished_at = CASE WHEN j.cancel_requested OR (${STARTED} AND j.attempt >= j.max_attempts)
    THEN t.now ELSE j.finished_at END,
  error = CASE WHEN j.cancel_requested OR NOT j.reserved THEN ${LAPSE_ERROR} ELSE j.error END,
  history = CASE WHEN NOT j.reserved
    THEN ${appendRecord(
      `jsonb_build_object(
      'attempt', j.attempt, 'outcome', 'lease-expired', 'startedAt', j.started_at, 'workerId', j.worker_id,
      'error', ${LAPSE_ERROR}, 'at', t.now)`,
      '$2::int',
    )}
    ELSE j.history END,
  recovering = CASE WHEN ${STARTED} THEN true ELSE j.recovering END,
  lease_expires_at = NULL,
  worker_id = NULL,
  reserved = false,
  version = j.version + 1,
  updated_at = t.now
FROM t
WHERE j.id = ANY (ARRAY(SELECT l.id FROM lapsed l))
  AND j.status = 'running' AND j.lease_expires_at < t.now
RETURNING j.*
`,
);
