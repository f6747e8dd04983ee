import { createServer, type Server, type Socket } from 'node:net';
import { hasErrorCode } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { adminQuery, databaseUrl, dropSchemaAfterTest, randomSchema } from './helpers/database.js';

/** A loopback server that accepts connections and never says a word (a wrong port, a black hole). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('connections that never answer', () => {
  it('ready() rejects with a provider error after the connect timeout, and close() settles', async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const provider = new PostgresProvider({
      connectionString: `postgres://postgres@127.0.0.1:${silent.port}/nothing`,
      poolConfig: { connectionTimeoutMillis: 300 },
    });
    const error = await provider.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasErrorCode(error, 'PROVIDER_FAILURE')).toBe(true);
    expect(String((error as Error).message)).toMatch(/^postgres/);
    await provider.close();
  });

  it('sets a connect timeout by default on its own pool and on the listener', () => {
    const provider = new PostgresProvider({ connectionString: databaseUrl() });
    cleanups.push(() => provider.close());
    const internals = provider as unknown as {
      options: {
        pool: { options: { connectionTimeoutMillis?: number } };
        listenerConfig: { connectionTimeoutMillis?: number };
      };
    };
    expect(internals.options.pool.options.connectionTimeoutMillis).toBe(10_000);
    expect(internals.options.listenerConfig.connectionTimeoutMillis).toBe(10_000);
  });
});

describe('schemas that are not the provider’s', () => {
  it('refuses a PostgreSQL system schema by name', () => {
    for (const schema of ['information_schema', 'pg_catalog', 'pg_toast']) {
      expect(() => new PostgresProvider({ connectionString: databaseUrl(), schema })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'schema' }),
      );
    }
  });

  it('names the foreign table when a schema already has a "migrations" table of someone else’s', async () => {
    const schema = randomSchema('foreign');
    dropSchemaAfterTest(schema);
    await adminQuery(`CREATE SCHEMA "${schema}"`);
    await adminQuery(`CREATE TABLE "${schema}".migrations (id serial PRIMARY KEY, script text)`);
    const provider = new PostgresProvider({ connectionString: databaseUrl(), schema, listenerPingMs: 0 });
    cleanups.push(() => provider.close());
    const error = await provider.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasErrorCode(error, 'PROVIDER_FAILURE')).toBe(true);
    expect(String((error as Error).message)).toMatch(/"migrations" that jobservice did not create/);
    expect(await adminQuery(`SELECT count(*)::int AS n FROM "${schema}".migrations`)).toEqual([{ n: 0 }]);
  });
});
