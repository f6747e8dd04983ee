import { ProviderError } from '@jobservice/core';
import type { Pool, PoolClient } from 'pg';
import { MIGRATIONS, SCHEMA_VERSION } from './sql/migrations/index.js';
import {
  CREATE_MIGRATIONS_TABLE,
  CREATE_SCHEMA,
  LOCK_MIGRATIONS,
  MIGRATIONS_TABLE_EXISTS,
  READ_SCHEMA_VERSION,
  RECORD_MIGRATION,
} from './sql/migrator-sql.js';
import { sql as statement } from './sql/sql-template.js';
import type { SqlRunner } from './sql-runner.js';

const BEGIN = statement('begin', 'BEGIN', { prepare: false });
const COMMIT = statement('commit', 'COMMIT', { prepare: false });

/**
 * Brings a schema up to the code's version: every missing migration in
 * order, in one transaction, under an advisory lock named for the schema, so
 * many processes starting at once migrate exactly once. A schema newer than
 * the code is refused. Returns the versions this call applied.
 */
export async function migrateSchema(pool: Pool, sql: SqlRunner, schema: string): Promise<number[]> {
  const current = await readVersion(pool, sql, schema);
  if (current === SCHEMA_VERSION) return [];
  refuseNewer(schema, current);
  const client = await connect(pool);
  try {
    await sql.run(client, BEGIN, [], 'migrate: begin');
    try {
      await sql.run(client, LOCK_MIGRATIONS, [`jobservice.migrate:${schema}`], 'migrate: lock');
      await sql.run(client, CREATE_SCHEMA, [], 'migrate: create schema');
      await sql.run(client, CREATE_MIGRATIONS_TABLE, [], 'migrate: create migrations table');
      const { rows } = await sql.run<{ version: number }>(client, READ_SCHEMA_VERSION, [], 'migrate: read');
      const locked = rows[0]?.version ?? 0;
      refuseNewer(schema, locked);
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (migration.version <= locked) continue;
        const text = sql.render(migration.sql);
        try {
          await client.query(text);
        } catch (error) {
          throw new ProviderError(
            'postgres',
            `migration ${migration.version} (${migration.name}) of schema "${schema}" failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await sql.run(client, RECORD_MIGRATION, [migration.version, migration.name], 'migrate: record');
        applied.push(migration.version);
      }
      await sql.run(client, COMMIT, [], 'migrate: commit');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * Checks that the schema is exactly at the code's version (for
 * `migrate: false`): missing or older schemas and newer ones are refused.
 */
export async function assertSchemaCurrent(pool: Pool, sql: SqlRunner, schema: string): Promise<void> {
  const current = await readVersion(pool, sql, schema);
  refuseNewer(schema, current);
  if (current < SCHEMA_VERSION) {
    throw new ProviderError(
      'postgres',
      `schema "${schema}" is at version ${current} but this code needs ${SCHEMA_VERSION}; run the migrations (construct a provider with migrate: true, the default)`,
    );
  }
}

async function readVersion(pool: Pool, sql: SqlRunner, schema: string): Promise<number> {
  const exists = await sql.run<{ exists: boolean }>(
    pool,
    MIGRATIONS_TABLE_EXISTS,
    [`"${schema}".migrations`],
    'migrate: inspect',
  );
  if (!exists.rows[0]?.exists) return 0;
  try {
    const { rows } = await pool.query<{ version: number }>(sql.render(READ_SCHEMA_VERSION.text));
    return rows[0]?.version ?? 0;
  } catch (error) {
    throw new ProviderError(
      'postgres',
      `schema "${schema}" has a table or view named "migrations" that jobservice did not create (reading its version failed: ${(error as Error).message}); give the provider a schema of its own`,
      { cause: error },
    );
  }
}

function refuseNewer(schema: string, version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new ProviderError(
      'postgres',
      `schema "${schema}" is at version ${version}, newer than this code's ${SCHEMA_VERSION}; upgrade @jobservice/provider-postgres (refusing to touch a newer schema)`,
    );
  }
}

async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw new ProviderError('postgres', `migrate: connect failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
