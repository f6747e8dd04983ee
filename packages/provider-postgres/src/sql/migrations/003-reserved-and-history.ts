import type { Migration } from './migration.js';

/**
 * The crash-semantics columns: `reserved` (leased but not started, so no
 * attempt counted; false unless running) and `history` (the failed
 * attempts, oldest first, as `[{ attempt, error, at }, …]`), and
 * `append_history`, which the settle and recover statements use to append a
 * record and keep the newest few.
 *
 * Both columns have constant defaults, so on PostgreSQL 11+ adding them
 * rewrites nothing: existing rows read `false` and `[]`. Neither is in an
 * index (a start write stays HOT when the page has room), and neither is
 * watched by the change-feed triggers of migration 2: a start changes no
 * status, so it notifies nobody. The claim index (`status = 'scheduled'`)
 * needs no change: a reserved job is `running`.
 */
export const reservedAndHistoryMigration: Migration = {
  version: 3,
  name: 'reserved-and-history',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs
  ADD COLUMN reserved boolean NOT NULL DEFAULT false,
  ADD COLUMN history jsonb NOT NULL DEFAULT '[]'::jsonb;

-- history with record appended, keeping the newest keep records.
CREATE FUNCTION {{schema}}.append_history(history jsonb, record jsonb, keep integer) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $fn$
    SELECT coalesce(jsonb_agg(h.value ORDER BY h.ord), '[]'::jsonb)
    FROM jsonb_array_elements(history || jsonb_build_array(record)) WITH ORDINALITY AS h(value, ord)
    WHERE h.ord > jsonb_array_length(history) + 1 - keep
  $fn$;
`,
};
