import { sql } from './sql-template.js';

/** Serializes migrators of one schema for the rest of the transaction; $1 is the lock's name. */
export const LOCK_MIGRATIONS = sql(
  'lock_migrations',
  /* sql */ `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))`,
  { prepare: false },
);

/** Whether the migrations table exists; $1 is `<schema>.migrations` as text. */
export const MIGRATIONS_TABLE_EXISTS = sql(
  'migrations_table_exists',
  /* sql */ `SELECT to_regclass($1::text) IS NOT NULL AS exists`,
  { prepare: false },
);

/** Creates the schema (no-op when it exists). */
export const CREATE_SCHEMA = sql('create_schema', /* sql */ `CREATE SCHEMA IF NOT EXISTS {{schema}}`, {
  prepare: false,
});

/** Creates the table recording applied migrations. */
export const CREATE_MIGRATIONS_TABLE = sql(
  'create_migrations_table',
  /* sql */ `
CREATE TABLE IF NOT EXISTS {{schema}}.migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
  { prepare: false },
);

/** The highest applied migration version (0 for none). */
export const READ_SCHEMA_VERSION = sql(
  'read_schema_version',
  /* sql */ `SELECT coalesce(max(version), 0)::int AS version FROM {{schema}}.migrations`,
  { prepare: false },
);

/** Records migration $1 named $2 as applied. */
export const RECORD_MIGRATION = sql(
  'record_migration',
  /* sql */ `INSERT INTO {{schema}}.migrations (version, name) VALUES ($1::int, $2::text)`,
  { prepare: false },
);
