import { PgBoss } from 'pg-boss';
import { countRows, queryOnce } from '../env/database.js';
import { packageVersion } from '../env/versions.js';
import { NOOP } from './noop-callback.js';
import type { NoopPayload, OnJobStart, SystemAdapter, SystemEnv, SystemModule } from './types.js';

/**
 * Throughput settings from pg-boss's docs: several local workers each
 * fetching a batch, continuous fetching while batches come back full, and
 * LISTEN/NOTIFY so an idle worker wakes at once.
 */
const BATCH_SIZE = 10;

/** pg-boss with `batchSize`, `burstWhenBatchFull` and LISTEN/NOTIFY. */
export const pgBoss: SystemModule = {
  id: 'pg-boss',
  label: `pg-boss ${packageVersion('pg-boss')}`,
  settings: (concurrency) =>
    `new PgBoss({ useListenNotify: true }), createQueue('noop', { notify: true }); ` +
    `work('noop', { localConcurrency: ${concurrency}, batchSize: ${BATCH_SIZE}, burstWhenBatchFull: true, ` +
    'pollingIntervalSeconds: 0.5 }) — up to concurrency × batchSize jobs in hand; completed jobs kept (history)',
  unavailable: async () => null,
  create: (env) => new PgBossAdapter(env),
};

class PgBossAdapter implements SystemAdapter {
  private readonly boss: PgBoss;
  private started: Promise<unknown> | undefined;

  constructor(private readonly env: SystemEnv) {
    this.boss = new PgBoss({
      connectionString: env.databaseUrl,
      schema: env.namespace,
      useListenNotify: true,
    });
    this.boss.on('error', (error: unknown) => console.error('pg-boss:', error));
  }

  private start(): Promise<unknown> {
    this.started ??= this.boss.start() as Promise<unknown>;
    return this.started;
  }

  async install(): Promise<void> {
    await this.start();
    await this.boss.createQueue(NOOP, { notify: true });
  }

  async uninstall(): Promise<void> {
    await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS "${this.env.namespace}" CASCADE`);
  }

  async preload(count: number, options: { delayMs?: number } = {}): Promise<void> {
    await this.start();
    const startAfter = options.delayMs ? new Date(Date.now() + options.delayMs) : undefined;
    for (let done = 0; done < count; done += 10_000) {
      const size = Math.min(10_000, count - done);
      await this.boss.insert(
        NOOP,
        Array.from({ length: size }, () => (startAfter ? { data: {}, startAfter } : { data: {} })),
      );
    }
  }

  async bulkEnqueue(count: number): Promise<void> {
    await this.start();
    await this.boss.insert(
      NOOP,
      Array.from({ length: count }, () => ({ data: {} })),
    );
  }

  async enqueueOne(payload: NoopPayload): Promise<void> {
    await this.start();
    await this.boss.send(NOOP, payload);
  }

  async warm(): Promise<void> {
    await this.start();
  }

  async startWorker(options: { concurrency: number; onStart: OnJobStart }) {
    await this.start();
    const { onStart } = options;
    await this.boss.work(
      NOOP,
      {
        localConcurrency: options.concurrency,
        batchSize: BATCH_SIZE,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 0.5,
      },
      async (jobs: Array<{ data: NoopPayload }>) => {
        for (const job of jobs) onStart(job.data);
      },
    );
    return { stop: () => this.boss.offWork(NOOP, { wait: true }) };
  }

  remaining(): Promise<number> {
    return countRows(
      this.env.databaseUrl,
      `SELECT count(*)::int AS n FROM "${this.env.namespace}".job WHERE name = '${NOOP}' AND state <> 'completed'`,
    );
  }

  async close(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, timeout: 5_000 });
  }
}
