import type { Migration } from './migration.js';

/**
 * Replaces the statement-level change feed of migration 1 with row-level
 * triggers whose `WHEN` clause is checked in the executor, so the statements
 * that change no watched state (claims, heartbeats, releases, retries) pay
 * nothing: migration 1's trigger built two transition tables and joined
 * them on every UPDATE, a claim of 100 jobs included.
 *
 * The settle statement sends its batch's terminal notifications itself
 * (set-based, see `SETTLE_JOBS`) and marks the transaction so this trigger
 * skips those rows. Terminal transitions go to `<schema>_changes` (as before) and cancel
 * requests to `<schema>_cancels`, so a dispatcher, which only needs cancel
 * requests, is not sent one notification per finished job. The payload
 * stays `[[id, status, cancelRequested]]`, one change per NOTIFY.
 *
 * Also tunes autovacuum for a queue table: every job is updated at least
 * twice (claim, settle) and neither update is HOT, so the default trigger
 * (20 % of the table dead) lets a million-job table carry millions of dead
 * tuples before a vacuum starts, and the default cost delay makes that
 * vacuum outlast the burst. Vacuum after a fixed number of changes instead,
 * at full speed (it skips the all-visible pages of finished history).
 */
export const rowChangeFeedMigration: Migration = {
  version: 2,
  name: 'row-change-feed',
  sql: /* sql */ `
DROP TRIGGER jobs_notify_changes ON {{schema}}.jobs;
DROP FUNCTION {{schema}}.notify_changes();

CREATE FUNCTION {{schema}}.notify_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $fn$
  BEGIN
    PERFORM pg_notify(
      TG_TABLE_SCHEMA || '_' || TG_ARGV[0],
      json_build_array(json_build_array(NEW.id, NEW.status, NEW.cancel_requested))::text
    );
    RETURN NULL;
  END
  $fn$;

-- A job reached a terminal status (waitFor wakes), unless the statement sends
-- the batch's notifications itself (settle_jobs, set-based: a row trigger
-- costs ~10 µs per job there).
CREATE TRIGGER jobs_notify_finished
  AFTER UPDATE OF status ON {{schema}}.jobs
  FOR EACH ROW
  WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('completed', 'failed', 'cancelled')
    AND current_setting('jobservice.statement_notifies', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION {{schema}}.notify_change('changes');

-- A cancel was requested for a job that is still going (its worker aborts it).
CREATE TRIGGER jobs_notify_cancel_requested
  AFTER UPDATE OF cancel_requested ON {{schema}}.jobs
  FOR EACH ROW
  WHEN (NEW.cancel_requested AND NOT OLD.cancel_requested
    AND NEW.status NOT IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION {{schema}}.notify_change('cancels');

ALTER TABLE {{schema}}.jobs SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 20000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 20000,
  autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 50000,
  autovacuum_vacuum_cost_delay = 0
);
`,
};
