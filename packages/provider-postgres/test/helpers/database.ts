import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, inject, onTestFinished } from 'vitest';
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

/**
 * Providers a test file opens, closed after each test: `fresh()` on a new
 * schema (dropped after the test, kept on failure), `peerOf(p)` a second
 * process's handle (its own pool) on `p`'s schema, `track(p)` for one the
 * test built itself. Call once at the top of a test file.
 */
export function providersPerTest(): {
  fresh(): Promise<PostgresProvider>;
  peerOf(p: PostgresProvider): Promise<PostgresProvider>;
  track(p: PostgresProvider): PostgresProvider;
} {
  const open: PostgresProvider[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });
  const track = (p: PostgresProvider) => {
    open.push(p);
    return p;
  };
  return {
    track,
    fresh: async () => track(await testProvider()),
    async peerOf(p) {
      const peer = track(
        new PostgresProvider({
          connectionString: databaseUrl(),
          schema: p.schema,
          poolConfig: { max: 2 },
          listenerPingMs: 0,
        }),
      );
      await peer.ready();
      return peer;
    },
  };
}
