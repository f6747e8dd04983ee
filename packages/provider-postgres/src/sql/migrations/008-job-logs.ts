import type { Migration } from './migration.js';

/**
 * The lines callbacks log with `ctx.log`: a `jsonb` array per job (NULL
 * until a job logs, so jobs that never log cost nothing), written by the
 * worker in batches with its heartbeats and before its settle.
 */
export const jobLogsMigration: Migration = {
  version: 8,
  name: 'job-logs',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS logs jsonb;
`,
};
