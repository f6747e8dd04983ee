import { createPostgresBackend, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { queryOnce } from '../env/database.js';
import { redisProblem } from '../env/redis.js';
import { packageVersion } from '../env/versions.js';
import { NOOP } from './noop-callback.js';
import type { NoopPayload, OnJobStart, SystemAdapter, SystemEnv, SystemModule } from './types.js';

type Backend = 'redis' | 'postgres';

const settings = (backend: Backend) => (concurrency: number) =>
  `new Worker('noop', processor, { concurrency: ${concurrency} })` +
  (backend === 'postgres'
    ? ' with createPostgresBackend ({ connectionString, schema }, migrate on install)'
    : ` on Redis (ioredis ${packageVersion('ioredis')}, maxRetriesPerRequest: null)`) +
  '; Queue.addBulk for bulk inserts; completed jobs kept (default removeOnComplete: false)';

/** BullMQ on Redis (its home) — skipped with a note when no Redis answers. */
export const bullmqRedis: SystemModule = {
  id: 'bullmq-redis',
  label: `BullMQ ${packageVersion('bullmq')} (Redis)`,
  settings: settings('redis'),
  unavailable: async (env) =>
    env.redisUrl ? redisProblem(env.redisUrl) : 'REDIS_URL is not set and no Redis answered',
  create: (env) => new BullmqAdapter(env, 'redis'),
};

/** BullMQ 6's PostgreSQL backend, on the same database as the others. */
export const bullmqPostgres: SystemModule = {
  id: 'bullmq-postgres',
  label: `BullMQ ${packageVersion('bullmq')} (PostgreSQL backend)`,
  settings: settings('postgres'),
  unavailable: async () => null,
  create: (env) => new BullmqAdapter(env, 'postgres'),
};

class BullmqAdapter implements SystemAdapter {
  private queue: Queue | undefined;
  private readonly redis: Redis[] = [];

  constructor(
    private readonly env: SystemEnv,
    private readonly backend: Backend,
  ) {}

  private connection(migrate = false): Record<string, unknown> {
    if (this.backend === 'postgres') {
      return { connectionString: this.env.databaseUrl, schema: this.env.namespace, migrate };
    }
    const client = new Redis(this.env.redisUrl as string, { maxRetriesPerRequest: null });
    this.redis.push(client);
    return client as unknown as Record<string, unknown>;
  }

  private factory() {
    return this.backend === 'postgres' ? createPostgresBackend : undefined;
  }

  private open(migrate = false): Queue {
    this.queue ??= new Queue(
      NOOP,
      { connection: this.connection(migrate), prefix: this.env.namespace } as never,
      this.factory() as never,
    );
    return this.queue;
  }

  async install(): Promise<void> {
    await this.open(true).waitUntilReady();
  }

  async uninstall(): Promise<void> {
    if (this.backend === 'postgres') {
      await this.queue?.close();
      this.queue = undefined;
      await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS "${this.env.namespace}" CASCADE`);
    } else {
      await this.open().obliterate({ force: true });
    }
  }

  async preload(count: number, options: { delayMs?: number } = {}): Promise<void> {
    const queue = this.open();
    const opts = options.delayMs ? { delay: options.delayMs } : undefined;
    for (let done = 0; done < count; done += 5_000) {
      const size = Math.min(5_000, count - done);
      await queue.addBulk(Array.from({ length: size }, () => ({ name: NOOP, data: {}, opts })));
    }
  }

  async bulkEnqueue(count: number): Promise<void> {
    await this.open().addBulk(Array.from({ length: count }, () => ({ name: NOOP, data: {} })));
  }

  async enqueueOne(payload: NoopPayload): Promise<void> {
    await this.open().add(NOOP, payload);
  }

  async warm(): Promise<void> {
    await this.open().waitUntilReady();
  }

  async startWorker(options: { concurrency: number; onStart: OnJobStart }) {
    const { onStart } = options;
    const worker = new Worker(
      NOOP,
      async (job: { data: unknown }) => {
        onStart(job.data as NoopPayload);
      },
      {
        connection: this.connection(),
        prefix: this.env.namespace,
        concurrency: options.concurrency,
      } as never,
      this.factory() as never,
    );
    worker.on('error', (error: Error) => console.error('bullmq:', error.message));
    await worker.waitUntilReady();
    return { stop: () => worker.close() };
  }

  async remaining(): Promise<number> {
    const counts = await this.open().getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    return (Object.values(counts) as number[]).reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    await this.queue?.close();
    for (const client of this.redis) client.disconnect();
  }
}
