import type { Migration } from './migration.js';

/**
 * Continuations: the `waiting` status (a job whose parents have not all
 * ended, never claimable), the job's `parents` (`text[]`, NULL for a job
 * without any) and `on_parent_failure` (NULL means `cancel`), and a partial
 * GIN index over the parents of waiting jobs that answers "which jobs wait
 * on any of these" (`parents && $ids`) for the release after each settle.
 * The new status check is added `NOT VALID` and validated apart, so the
 * table is scanned without blocking writes.
 */
export const continuationsMigration: Migration = {
  version: 7,
  name: 'continuations',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs DROP CONSTRAINT IF EXISTS jobs_status_check;
ALTER TABLE {{schema}}.jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('waiting', 'scheduled', 'running', 'completed', 'failed', 'cancelled')) NOT VALID;
ALTER TABLE {{schema}}.jobs VALIDATE CONSTRAINT jobs_status_check;
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS parents text[] COLLATE "C";
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS on_parent_failure text;
CREATE INDEX IF NOT EXISTS jobs_waiting_parents_idx ON {{schema}}.jobs USING gin (parents)
  WHERE status = 'waiting';
`,
};
