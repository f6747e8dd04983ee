import type { Migration } from './migration.js';

/**
 * Adds the job's labels (`jsonb`, written once at insert; NULL for a job
 * without any, so unlabelled jobs cost no index entry) and a partial GIN
 * index (`jsonb_path_ops`) that answers `labels @> '{"orderId":"42"}'`.
 * The column has no default, so adding it touches only the catalogue.
 */
export const labelsMigration: Migration = {
  version: 6,
  name: 'labels',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS labels jsonb;
CREATE INDEX IF NOT EXISTS jobs_labels_idx ON {{schema}}.jobs USING gin (labels jsonb_path_ops)
  WHERE labels IS NOT NULL;
`,
};
