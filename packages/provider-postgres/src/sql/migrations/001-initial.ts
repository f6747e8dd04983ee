import type { Migration } from './migration.js';

/**
 * The first schema: the jobs table, its indexes, the shiftable clock and the
 * change-feed trigger. `{{schema}}` is replaced by the quoted schema name.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: /* sql */ `
CREATE TABLE {{schema}}.settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  clock_offset_ms bigint NOT NULL DEFAULT 0
);
INSERT INTO {{schema}}.settings DEFAULT VALUES;

-- The store's clock in epoch ms: the database's statement time plus the
-- offset tests move with provider.testing.shiftClock(ms).
CREATE FUNCTION {{schema}}.now_ms() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $fn$
    SELECT floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint
      + coalesce((SELECT clock_offset_ms FROM {{schema}}.settings), 0)
  $fn$;

-- Status changes move rows out of the claim index, so those updates are never
-- HOT; heartbeats touch no indexed column and stay HOT in the free space.
CREATE TABLE {{schema}}.jobs (
  id text COLLATE "C" PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  status text NOT NULL
    CHECK (status IN ('scheduled', 'running', 'completed', 'failed', 'cancelled')),
  priority integer NOT NULL DEFAULT 0,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  version integer NOT NULL DEFAULT 1,
  run_at bigint NOT NULL,
  lease_token bigint NOT NULL DEFAULT 0,
  lease_expires_at bigint,
  timeout_ms bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  cancel_requested boolean NOT NULL DEFAULT false,
  recovering boolean NOT NULL DEFAULT false,
  key text COLLATE "C",
  worker_id text,
  schedule_id text,
  metadata jsonb NOT NULL,
  backoff jsonb NOT NULL,
  progress jsonb,
  result jsonb,
  error jsonb
) WITH (fillfactor = 80);

-- Idempotency keys: unique among all jobs until retention prunes them.
CREATE UNIQUE INDEX jobs_key_idx ON {{schema}}.jobs (key) WHERE key IS NOT NULL;

-- Exactly the claim predicate and order: per name, priority descending, then
-- run_at, then id.
CREATE INDEX jobs_claim_idx ON {{schema}}.jobs (name, priority DESC, run_at, id)
  WHERE status = 'scheduled';

-- The reaper's candidates (running jobs are few); no lease column in the key,
-- so heartbeats stay HOT.
CREATE INDEX jobs_running_idx ON {{schema}}.jobs (id) WHERE status = 'running';

-- Retention: terminal jobs by finish time.
CREATE INDEX jobs_finished_idx ON {{schema}}.jobs (finished_at)
  WHERE status IN ('completed', 'failed', 'cancelled');

CREATE INDEX jobs_schedule_idx ON {{schema}}.jobs (schedule_id) WHERE schedule_id IS NOT NULL;

-- The change feed: one NOTIFY per ~7 kB of changes per statement, for terminal
-- transitions and new cancel requests, on channel <schema>_changes. Payload:
-- [[id, status, cancelRequested], ...].
CREATE FUNCTION {{schema}}.notify_changes() RETURNS trigger
  LANGUAGE plpgsql
  AS $fn$
  DECLARE
    r record;
    item text;
    buf text := '';
    channel text := TG_TABLE_SCHEMA || '_changes';
  BEGIN
    FOR r IN
      SELECT n.id, n.status, n.cancel_requested
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.status IS DISTINCT FROM o.status AND n.status IN ('completed', 'failed', 'cancelled'))
         OR (n.cancel_requested AND NOT o.cancel_requested)
    LOOP
      item := json_build_array(r.id, r.status, r.cancel_requested)::text;
      CONTINUE WHEN octet_length(item) > 7000;
      IF octet_length(buf) + octet_length(item) > 7000 THEN
        PERFORM pg_notify(channel, '[' || buf || ']');
        buf := '';
      END IF;
      buf := CASE WHEN buf = '' THEN item ELSE buf || ',' || item END;
    END LOOP;
    IF buf <> '' THEN
      PERFORM pg_notify(channel, '[' || buf || ']');
    END IF;
    RETURN NULL;
  END
  $fn$;

CREATE TRIGGER jobs_notify_changes
  AFTER UPDATE ON {{schema}}.jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.notify_changes();
`,
};
