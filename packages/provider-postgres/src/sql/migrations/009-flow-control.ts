import type { Migration } from './migration.js';

/**
 * Flow control (concurrency keys, rate limits, cluster-wide name caps),
 * enforced inside the claim (see `src/flow-claim.ts`):
 *
 * - the job's `concurrency_key`, `concurrency_limit` and `rate_limit`
 *   (written at insert, never changed), `flow_named` (a running job claimed
 *   under its name's cap: it holds one of the name's slots) and
 *   `flow_parked` (a due job whose key was full when a claim looked at it:
 *   set aside until a slot of its key frees, so claims do not walk past it);
 * - the claim index is narrowed to jobs without flow control, so plain
 *   claims never see a gated job (and never pay for a blocked one); gated
 *   jobs have their own partial indexes (claim order, and due time for the
 *   one-descent probe that tells a plain claim whether gated work is due);
 * - `flow_gates`: one row per gate (`name:<n>`, `key:<k>`), the row a claim
 *   locks (always in the same order) before it counts the gate's running
 *   jobs; `flow_rates`: the newest starts of each rate-limit key, locked
 *   the same way; `flow_freed`: the keys a slot came free in (written by a
 *   row trigger, without any lock), consumed by the next claim of that name,
 *   which puts the key's best parked jobs back under the claim.
 *
 * Slots are never counted in place: a gate's running jobs are counted
 * under the gate's lock, so a settle, a release, a recovery or a delete
 * frees a slot just by moving the row (no counter to drift, no lock for
 * the writer to wait on). The new columns have constant defaults or none,
 * so adding them rewrites nothing; the claim index is rebuilt once (run the
 * migration when the queue is quiet on a large table).
 */
export const flowControlMigration: Migration = {
  version: 9,
  name: 'flow-control',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs
  ADD COLUMN IF NOT EXISTS concurrency_key text COLLATE "C",
  ADD COLUMN IF NOT EXISTS concurrency_limit integer,
  ADD COLUMN IF NOT EXISTS rate_limit jsonb,
  ADD COLUMN IF NOT EXISTS flow_named boolean NOT NULL DEFAULT false,
  ADD COLUMN IF NOT EXISTS flow_parked boolean NOT NULL DEFAULT false;

-- Plain jobs only: a claim without flow control walks exactly these.
DROP INDEX IF EXISTS {{schema}}.jobs_claim_idx;
CREATE INDEX jobs_claim_idx ON {{schema}}.jobs (name, priority DESC, run_at, id)
  WHERE status = 'scheduled' AND concurrency_key IS NULL AND rate_limit IS NULL;

-- Gated jobs not set aside, in claim order, and by due time (the probe).
CREATE INDEX jobs_flow_claim_idx ON {{schema}}.jobs (name, priority DESC, run_at, id)
  WHERE status = 'scheduled' AND NOT flow_parked AND (concurrency_key IS NOT NULL OR rate_limit IS NOT NULL);
CREATE INDEX jobs_flow_due_idx ON {{schema}}.jobs (name, run_at)
  WHERE status = 'scheduled' AND NOT flow_parked AND (concurrency_key IS NOT NULL OR rate_limit IS NOT NULL);

-- Jobs set aside by key, best first (the wake-up takes the head).
CREATE INDEX jobs_flow_parked_idx ON {{schema}}.jobs (concurrency_key, priority DESC, run_at, id)
  WHERE status = 'scheduled' AND flow_parked;

-- The running jobs that hold a slot: of their key, of their name.
CREATE INDEX jobs_flow_key_running_idx ON {{schema}}.jobs (concurrency_key)
  WHERE status = 'running' AND concurrency_key IS NOT NULL;
CREATE INDEX jobs_flow_name_running_idx ON {{schema}}.jobs (name)
  WHERE status = 'running' AND flow_named;

CREATE TABLE {{schema}}.flow_gates (
  gate text COLLATE "C" PRIMARY KEY,
  locked_at bigint NOT NULL DEFAULT 0
);

CREATE TABLE {{schema}}.flow_rates (
  key text COLLATE "C" PRIMARY KEY,
  starts bigint[] NOT NULL DEFAULT '{}'
);

CREATE TABLE {{schema}}.flow_freed (
  key text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL
);
CREATE INDEX flow_freed_name_idx ON {{schema}}.flow_freed (name);
CREATE INDEX flow_freed_key_idx ON {{schema}}.flow_freed (key);

-- A slot of the row's key came free (or a job woken for it went away):
-- note it for the next claim. An insert only: the writer waits on nobody.
CREATE FUNCTION {{schema}}.flow_note_freed() RETURNS trigger
  LANGUAGE plpgsql
  AS $fn$
  BEGIN
    INSERT INTO {{schema}}.flow_freed (key, name) VALUES (OLD.concurrency_key, OLD.name);
    RETURN NULL;
  END
  $fn$;

-- The WHEN clauses are checked in the executor: rows without a key pay nothing.
CREATE TRIGGER jobs_flow_freed_update
  AFTER UPDATE OF status ON {{schema}}.jobs
  FOR EACH ROW
  WHEN (OLD.concurrency_key IS NOT NULL AND NEW.status IS DISTINCT FROM OLD.status
    AND NEW.status <> 'running'
    AND (OLD.status = 'running' OR (OLD.status = 'scheduled' AND NOT OLD.flow_parked)))
  EXECUTE FUNCTION {{schema}}.flow_note_freed();

CREATE TRIGGER jobs_flow_freed_delete
  AFTER DELETE ON {{schema}}.jobs
  FOR EACH ROW
  WHEN (OLD.concurrency_key IS NOT NULL
    AND (OLD.status = 'running' OR (OLD.status = 'scheduled' AND NOT OLD.flow_parked)))
  EXECUTE FUNCTION {{schema}}.flow_note_freed();
`,
};
