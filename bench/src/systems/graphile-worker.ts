import { Logger, makeWorkerUtils, run, runMigrations, type WorkerUtils } from 'graphile-worker';
import { countRows, queryOnce } from '../env/database.js';
import { packageVersion } from '../env/versions.js';
import { NOOP } from './noop-callback.js';
import type { NoopPayload, OnJobStart, SystemAdapter, SystemEnv, SystemModule } from './types.js';

const silent = new Logger(() => () => {});

/** The batching options graphile-worker's performance docs recommend for throughput. */
const BATCHING = { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 };

/** graphile-worker with its batching options (local queue of 500, batched completes and fails). */
export const graphileWorker: SystemModule = {
  id: 'graphile-worker',
  label: `graphile-worker ${packageVersion('graphile-worker')}`,
  settings: (concurrency) =>
    `run({ concurrency: ${concurrency}, preset: { worker: { localQueue: { size: 500 }, ` +
    'completeJobBatchDelay: 0, failJobBatchDelay: 0 } } }), pool default, pollInterval default (2 s, ' +
    'LISTEN/NOTIFY wakes it); completed jobs are deleted (no history)',
  unavailable: async () => null,
  create: (env) => new GraphileWorkerAdapter(env),
};

class GraphileWorkerAdapter implements SystemAdapter {
  private utils: WorkerUtils | undefined;

  constructor(private readonly env: SystemEnv) {}

  private get shared() {
    return { connectionString: this.env.databaseUrl, schema: this.env.namespace, logger: silent };
  }

  private async workerUtils(): Promise<WorkerUtils> {
    this.utils ??= await makeWorkerUtils(this.shared);
    return this.utils;
  }

  async install(): Promise<void> {
    await runMigrations(this.shared);
  }

  async uninstall(): Promise<void> {
    await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS "${this.env.namespace}" CASCADE`);
  }

  async preload(count: number, options: { delayMs?: number } = {}): Promise<void> {
    const utils = await this.workerUtils();
    const runAt = options.delayMs ? new Date(Date.now() + options.delayMs) : undefined;
    for (let done = 0; done < count; done += 10_000) {
      const size = Math.min(10_000, count - done);
      await utils.addJobs(Array.from({ length: size }, () => ({ identifier: NOOP, payload: {}, runAt })));
    }
  }

  async bulkEnqueue(count: number): Promise<void> {
    const utils = await this.workerUtils();
    await utils.addJobs(Array.from({ length: count }, () => ({ identifier: NOOP, payload: {} })));
  }

  async enqueueOne(payload: NoopPayload): Promise<void> {
    const utils = await this.workerUtils();
    await utils.addJob(NOOP, payload);
  }

  async warm(): Promise<void> {}

  async startWorker(options: { concurrency: number; onStart: OnJobStart }) {
    const { onStart } = options;
    const runner = await run({
      ...this.shared,
      concurrency: options.concurrency,
      noHandleSignals: true,
      taskList: {
        [NOOP]: (payload: unknown) => {
          onStart(payload as NoopPayload);
        },
      },
      preset: { worker: BATCHING },
    });
    return { stop: () => runner.stop() };
  }

  remaining(): Promise<number> {
    return countRows(
      this.env.databaseUrl,
      `SELECT count(*)::int AS n FROM "${this.env.namespace}"._private_jobs`,
    );
  }

  async close(): Promise<void> {
    await this.utils?.release();
  }
}
