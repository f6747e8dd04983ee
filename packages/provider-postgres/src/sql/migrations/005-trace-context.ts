import type { Migration } from './migration.js';

/**
 * Adds the job's W3C trace context (`traceparent`, `tracestate`), written
 * once at insert and read back with the job, so the attempt's span can
 * continue the producer's trace. Nullable columns without a default: the
 * change touches only the catalogue, not the rows.
 */
export const traceContextMigration: Migration = {
  version: 5,
  name: 'trace-context',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS traceparent text, ADD COLUMN IF NOT EXISTS tracestate text;
`,
};
