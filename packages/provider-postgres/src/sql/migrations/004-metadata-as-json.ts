import type { Migration } from './migration.js';

/**
 * Stores `metadata` as `json` (the text as written) instead of `jsonb`, so a
 * job's metadata reads back exactly as it was enqueued, keys in their order:
 * `jsonb` sorts an object's keys (by length, then bytes), and a JavaScript
 * caller sees `{ emoji, big }` come back as `{ big, emoji }`. Nothing
 * queries inside metadata, so nothing is lost; graphile-worker stores its
 * payload the same way.
 *
 * The type change rewrites the table once, under an exclusive lock (run it
 * when the queue is quiet on a large table). Rows written before keep the
 * key order `jsonb` gave them.
 */
export const metadataAsJsonMigration: Migration = {
  version: 4,
  name: 'metadata-as-json',
  sql: /* sql */ `
ALTER TABLE {{schema}}.jobs ALTER COLUMN metadata TYPE json USING metadata::json;
`,
};
