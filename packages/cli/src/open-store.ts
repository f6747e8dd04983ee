import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  hasErrorCode,
  type IDocumentDataProvider,
  type IQueueProvider,
  JobManager,
  type Logger,
  silentLogger,
} from '@jobservice/core';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '@jobservice/provider-fs';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { CliError, EXIT, networkCause, usageError } from './errors.js';
import { redact, type StoreDescription } from './store-url.js';

/** How a command wants the store opened. */
export interface OpenStoreOptions {
  /** The PostgreSQL schema; the provider's default when absent. */
  schema?: string;
  /**
   * Whether the command may change the store's layout: create a missing fs
   * folder, apply PostgreSQL migrations (the worker). Otherwise a missing
   * fs store or an unmigrated schema fails with a hint.
   * @default false
   */
  prepare?: boolean;
  /** Open the doorbell queue too (commands that wake workers). @default false */
  queue?: boolean;
  /** Where the providers report trouble. @default silent */
  logger?: Logger;
}

/** An open store, its queue when asked for, and a manager over them. */
export interface OpenStore {
  /** Which kind of store. */
  kind: StoreDescription['kind'];
  /** The job store. */
  store: IDocumentDataProvider;
  /** The doorbell, when asked for (for PostgreSQL, the same object as `store`). */
  queue: IQueueProvider | undefined;
  /** A manager over the store (no callbacks: names are checked by pattern only). */
  manager: JobManager;
  /** Closes the queue and the store; idempotent. */
  close(): Promise<void>;
}

/** The folders of an fs store rooted at `root`: jobs and bells side by side. */
export function fsLayout(root: string): { jobs: string; bells: string } {
  return { jobs: join(root, 'jobs'), bells: join(root, 'bells') };
}

/**
 * Opens the store a description names and checks it is usable (PostgreSQL:
 * reachable and migrated, unless `prepare`), so a bad store fails before
 * any command runs.
 */
export async function openStore(
  description: StoreDescription,
  options: OpenStoreOptions = {},
): Promise<OpenStore> {
  return description.kind === 'postgres'
    ? openPostgres(description.connectionString, options)
    : openFs(description.root, options);
}

async function openPostgres(connectionString: string, options: OpenStoreOptions): Promise<OpenStore> {
  let provider: PostgresProvider;
  try {
    provider = new PostgresProvider({
      connectionString,
      migrate: options.prepare === true,
      logger: options.logger ?? silentLogger,
      poolConfig: { max: 4, connectionTimeoutMillis: 10_000, options: '-c jit=off' },
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
  } catch (error) {
    // A bad schema name or connection string: nothing was attempted.
    if (hasErrorCode(error, 'INVALID_INPUT')) throw usageError((error as Error).message);
    throw error;
  }
  try {
    await provider.ready();
  } catch (error) {
    await provider.close().catch(() => {});
    throw unreachable(error, connectionString) ?? migrationHint(error);
  }
  return {
    kind: 'postgres',
    store: provider,
    queue: options.queue ? provider : undefined,
    manager: new JobManager({ store: provider, ...(options.queue ? { queue: provider } : {}) }),
    close: once(() => provider.close()),
  };
}

/** A one-line error naming the server when `error` is a failed connection, else `undefined`. */
export function unreachable(error: unknown, connectionString: string): CliError | undefined {
  const cause = networkCause(error);
  if (!cause) return undefined;
  const detail = cause.message || String((cause as { code?: unknown }).code ?? 'connection failed');
  return new CliError(`cannot reach PostgreSQL at ${redact(connectionString)}: ${detail}`, EXIT.failed, {
    cause: error,
  });
}

/** The provider's "run the migrations" advice, phrased for the command line. */
function migrationHint(error: unknown): unknown {
  if (error instanceof Error && /run the migrations/.test(error.message)) {
    const message = error.message.replace(/; run the migrations.*$/, '; run: jobservice migrate');
    return new CliError(message, EXIT.failed, { cause: error });
  }
  return error;
}

async function openFs(root: string, options: OpenStoreOptions): Promise<OpenStore> {
  const layout = fsLayout(root);
  if (!options.prepare && !existsSync(layout.jobs)) {
    throw new CliError(
      `no jobservice store at ${root} (expected ${layout.jobs}); a worker creates it: jobservice worker --store fs:${root}`,
    );
  }
  const logger = options.logger ?? silentLogger;
  const store = await FileSystemDocumentProvider.open({ root: layout.jobs, logger });
  let queue: FileSystemQueueProvider | undefined;
  try {
    if (options.queue) queue = await FileSystemQueueProvider.open({ root: layout.bells, logger });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return {
    kind: 'fs',
    store,
    queue,
    manager: new JobManager({ store, ...(queue ? { queue } : {}) }),
    close: once(async () => {
      await queue?.close();
      await store.close();
    }),
  };
}

/** `fn` run at most once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
