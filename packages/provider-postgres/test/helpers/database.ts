import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import { PostgresProvider, type PostgresProviderOptions } from '../../src/index.js';

/** The server the global setup chose (`DATABASE_URL` or the embedded one). */
export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** A fresh schema name for one test. */
export function randomSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs one statement on a short-lived connection (admin work outside the provider). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Drops `schema` when the current test passes; keeps it (and says so) when
 * it fails, for a look.
 */
export function dropSchemaAfterTest(schema: string): void {
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') {
      console.warn(`keeping schema ${schema} of the failed test "${task.name}" for a look`);
      return;
    }
    await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

/** A provider on a fresh schema dropped after the test (kept on failure); close it in the test. */
export async function testProvider(
  options: Omit<PostgresProviderOptions, 'schema'> & { schema?: string } = {},
): Promise<PostgresProvider> {
  const schema = options.schema ?? randomSchema();
  dropSchemaAfterTest(schema);
  const provider = new PostgresProvider({
    connectionString: options.pool ? undefined : databaseUrl(),
    poolConfig: options.pool ? undefined : { max: 4 },
    listenerPingMs: 0,
    ...options,
    schema,
  });
  await provider.ready();
  return provider;
}
