/** Per-run stores: a fresh PostgreSQL schema or a fresh temp folder, always removed afterwards. */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDocumentDataProvider, IQueueProvider, JobStatus } from '@jobservice/core';
import { JOB_STATUSES, silentLogger } from '@jobservice/core';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '@jobservice/provider-fs';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { RabbitMqQueueProvider } from '@jobservice/provider-rabbitmq';
import { RedisProvider } from '@jobservice/provider-redis';
import pg from 'pg';

/**
 * The durable providers the suite runs on: a store and its queue
 * (`pg-rabbitmq`: the PostgreSQL store with the RabbitMQ doorbell).
 */
export type ProviderKind = 'postgres' | 'fs' | 'redis' | 'pg-rabbitmq';

/** Every provider, in the order runs go through them. */
export const PROVIDER_KINDS: readonly ProviderKind[] = ['postgres', 'fs', 'redis', 'pg-rabbitmq'];

/** The broker the RabbitMQ runs use: `AMQP_URL`, else the local one. */
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The Redis the Redis runs use: `REDIS_URL`, else the local server. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The server the PostgreSQL runs use: `DATABASE_URL`, else the local test server. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Where a run's jobs live, as worker processes need to open them. */
export interface StoreLocation {
  provider: ProviderKind;
  /** PostgreSQL: the connection string workers use for the store (may point at a proxy). */
  url?: string;
  /** PostgreSQL: the run's schema. */
  schema?: string;
  /** fs: the store's folder. */
  storeRoot?: string;
  /** fs: the queue's folder. */
  queueRoot?: string;
  /** fs and Redis: the folder of the per-worker ledger files. */
  ledgerDir?: string;
  /** Redis: the run's key prefix (the URL is `url`); RabbitMQ: the queue name prefix. */
  prefix?: string;
  /** RabbitMQ: the broker. */
  amqpUrl?: string;
}

/** One run's store, queue and where to find them; `dispose()` removes everything. */
export interface RunStore {
  location: StoreLocation;
  store: IDocumentDataProvider;
  queue: IQueueProvider;
  /** PostgreSQL: a pool for the ledger table and counts (not the SDK's). */
  sql?: pg.Pool;
  dispose(): Promise<void>;
}

/** A random suffix for schema and folder names. */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Creates a schema `chaos_<label>_<id>` with the provider's tables and a
 * `chaos_ledger` table; with `rabbitmq`, the doorbell is a RabbitMQ queue
 * under the prefix `chaos-<label>-<id>` instead of NOTIFY.
 */
export async function openPostgresRun(label: string, rabbitmq = false): Promise<RunStore> {
  const schema = `chaos_${label}_${runId()}`;
  const provider = new PostgresProvider({ connectionString: DATABASE_URL, schema, listenerPingMs: 0 });
  const sql = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  try {
    await provider.ready();
    await sql.query(
      `CREATE TABLE "${schema}".chaos_ledger (job_id text NOT NULL, attempt int NOT NULL, pid int NOT NULL, at bigint NOT NULL)`,
    );
  } catch (error) {
    await dropSchema(sql, schema);
    await provider.close().catch(() => {});
    await sql.end();
    throw error;
  }
  const location: StoreLocation = rabbitmq
    ? {
        provider: 'pg-rabbitmq',
        url: DATABASE_URL,
        schema,
        amqpUrl: AMQP_URL,
        prefix: `chaos-${label}-${runId()}`,
      }
    : { provider: 'postgres', url: DATABASE_URL, schema };
  const queue = rabbitmq ? await openRabbitMq(location) : provider;
  return {
    location,
    store: provider,
    queue,
    sql,
    async dispose() {
      if (queue instanceof RabbitMqQueueProvider) {
        await queue
          .deleteTopology(['chaos'])
          .catch((error) => console.error('chaos: could not delete queues:', error));
        await queue.close().catch(() => {});
      }
      await provider.close().catch(() => {});
      await dropSchema(sql, schema);
      await sql.end().catch(() => {});
    },
  };
}

function openRabbitMq(location: StoreLocation): Promise<RabbitMqQueueProvider> {
  return RabbitMqQueueProvider.connect({
    url: location.amqpUrl,
    prefix: location.prefix,
    logger: silentLogger,
  });
}

async function dropSchema(sql: pg.Pool, schema: string): Promise<void> {
  try {
    await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (error) {
    console.error(`chaos: could not drop schema ${schema}:`, error);
  }
}

/** Creates a temp folder with `store/`, `bells/` and `ledger/`; opens the fs store and queue there. */
export async function openFsRun(label: string): Promise<RunStore> {
  const dir = await mkdtemp(join(tmpdir(), `chaos-${label}-`));
  const location: StoreLocation = {
    provider: 'fs',
    storeRoot: join(dir, 'store'),
    queueRoot: join(dir, 'bells'),
    ledgerDir: join(dir, 'ledger'),
  };
  await mkdir(location.ledgerDir as string, { recursive: true });
  const handles = await openHandles(location);
  return {
    location,
    store: handles.store,
    queue: handles.queue,
    async dispose() {
      await handles.close().catch(() => {});
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Creates a key prefix `chaos-<label>-<id>` on Redis and a temp folder for the ledger files. */
export async function openRedisRun(label: string): Promise<RunStore> {
  const dir = await mkdtemp(join(tmpdir(), `chaos-${label}-`));
  const location: StoreLocation = {
    provider: 'redis',
    url: REDIS_URL,
    prefix: `chaos-${label}-${runId()}`,
    ledgerDir: join(dir, 'ledger'),
  };
  await mkdir(location.ledgerDir as string, { recursive: true });
  const provider = new RedisProvider({ url: REDIS_URL, prefix: location.prefix as string });
  await provider.ready();
  return {
    location,
    store: provider,
    queue: provider,
    async dispose() {
      await provider.deleteAllData().catch((error) => console.error('chaos: could not delete keys:', error));
      await provider.close().catch(() => {});
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Opens a run on `provider`. */
export function openRun(provider: ProviderKind, label: string): Promise<RunStore> {
  switch (provider) {
    case 'postgres':
      return openPostgresRun(label);
    case 'fs':
      return openFsRun(label);
    case 'redis':
      return openRedisRun(label);
    case 'pg-rabbitmq':
      return openPostgresRun(label, true);
  }
}

/** A second handle on a run's store and queue, as a worker process opens them. */
export interface StoreHandles {
  store: IDocumentDataProvider;
  queue: IQueueProvider;
  close(): Promise<void>;
}

/**
 * Opens the store and queue at `location` the way a worker process does
 * (PostgreSQL without migrating; `url` may point at a proxy).
 */
export async function openHandles(location: StoreLocation, poolMax = 4): Promise<StoreHandles> {
  switch (location.provider) {
    case 'postgres':
    case 'pg-rabbitmq': {
      const provider = new PostgresProvider({
        connectionString: location.url,
        schema: location.schema,
        migrate: false,
        poolConfig: { max: poolMax },
        listenerPingMs: 0,
      });
      await provider.ready();
      if (location.provider === 'postgres') {
        return { store: provider, queue: provider, close: () => provider.close() };
      }
      const queue = await openRabbitMq(location);
      return {
        store: provider,
        queue,
        close: async () => {
          await queue.close();
          await provider.close();
        },
      };
    }
    case 'redis': {
      const provider = new RedisProvider({ url: location.url, prefix: location.prefix as string });
      await provider.ready();
      return { store: provider, queue: provider, close: () => provider.close() };
    }
    case 'fs': {
      const store = await FileSystemDocumentProvider.open({
        root: location.storeRoot as string,
        logger: silentLogger,
      });
      const queue = await FileSystemQueueProvider.open({
        root: location.queueRoot as string,
        logger: silentLogger,
      });
      return {
        store,
        queue,
        close: async () => {
          await queue.close();
          await store.close();
        },
      };
    }
  }
}

/** Jobs per status (every status listed), paging the store's own query. */
export async function countByStatus(store: IDocumentDataProvider): Promise<Record<JobStatus, number>> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const status of JOB_STATUSES) {
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const result = await store.query({ statuses: [status], limit: 1_000, cursor });
      counts[status] += result.items.filter((j) => !j.name.startsWith('jobservice:')).length;
      cursor = result.cursor;
      if (cursor === null) break;
    }
  }
  return counts;
}
