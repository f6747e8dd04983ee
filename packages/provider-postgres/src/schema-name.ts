import { InvalidInputError } from '@jobservice/core';

/**
 * What a schema name may be: lowercase letters, digits and `_`, starting with
 * a letter or `_`, at most 48 characters (so `<schema>_changes` and
 * `<schema>_bells` stay within PostgreSQL's 63-byte identifiers), and not
 * starting with `pg_` (reserved by PostgreSQL).
 */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** The schema used when none is given. */
export const DEFAULT_SCHEMA = 'jobservice';

/** Schemas PostgreSQL keeps for itself (besides every `pg_…` one): never a place for job tables. */
const SYSTEM_SCHEMAS = new Set(['information_schema']);

/** Checks a schema name against {@link SCHEMA_NAME_PATTERN}; returns it. */
export function assertSchemaName(value: unknown, field = 'schema'): string {
  if (typeof value !== 'string' || !SCHEMA_NAME_PATTERN.test(value) || value.startsWith('pg_')) {
    throw new InvalidInputError(
      field,
      `must match ${SCHEMA_NAME_PATTERN} and not start with pg_ (lowercase letters, digits, _), got ${JSON.stringify(String(value))}`,
    );
  }
  if (SYSTEM_SCHEMAS.has(value)) {
    throw new InvalidInputError(field, `'${value}' is a PostgreSQL system schema; name a schema of your own`);
  }
  return value;
}

/** Quotes a checked identifier for SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
