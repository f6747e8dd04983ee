import {
  type IDocumentDataProvider,
  type IQueueProvider,
  JobDispatcher,
  type JobDispatcherOptions,
  JobManager,
} from '@jobservice/core';
import { NOOP, noopCallback } from './noop-callback.js';
import type { NoopPayload, SystemAdapter, WorkerHandle } from './types.js';

/**
 * What every jobservice system shares: a JobManager for the producer side
 * and a JobDispatcher running the no-op callback, on whichever store and
 * queue the subclass opens. Subclasses say how to install, uninstall, count
 * what is left and close.
 */
export abstract class JobserviceAdapter implements SystemAdapter {
  protected readonly manager: JobManager;

  constructor(
    protected readonly store: IDocumentDataProvider,
    protected readonly queue: IQueueProvider | undefined,
    private readonly dispatcherOptions: Partial<JobDispatcherOptions> = {},
  ) {
    this.manager = new JobManager({ store, queue });
  }

  abstract install(): Promise<void>;
  abstract uninstall(): Promise<void>;
  abstract remaining(): Promise<number>;
  abstract close(): Promise<void>;

  async warm(): Promise<void> {
    await this.store.now();
  }

  async preload(count: number, options: { delayMs?: number } = {}): Promise<void> {
    for (let done = 0; done < count; done += 10_000) {
      const size = Math.min(10_000, count - done);
      const jobOptions = options.delayMs ? { delayMs: options.delayMs } : undefined;
      await this.manager.enqueueMany(
        Array.from({ length: size }, () => ({ callback: NOOP, metadata: {}, options: jobOptions })),
      );
    }
  }

  async bulkEnqueue(count: number): Promise<void> {
    await this.manager.enqueueMany(Array.from({ length: count }, () => ({ callback: NOOP, metadata: {} })));
  }

  async enqueueOne(payload: NoopPayload): Promise<void> {
    await this.manager.enqueue(NOOP, payload as Record<string, string>);
  }

  async startWorker(options: {
    concurrency: number;
    onStart: (payload: NoopPayload) => void;
  }): Promise<WorkerHandle> {
    const dispatcher = new JobDispatcher({
      store: this.store,
      queue: this.queue,
      callbacks: [noopCallback(options.onStart)],
      concurrency: options.concurrency,
      ...this.dispatcherOptions,
    });
    dispatcher.on('error', ({ error, during }) => console.error(`jobservice: ${during}:`, error));
    await dispatcher.start();
    return { stop: () => dispatcher.stop({ graceMs: 5_000 }) };
  }

  /** Jobs still scheduled or running, from the store's own counts. */
  protected async unfinished(): Promise<number> {
    const counts = await this.manager.countJobs();
    return counts
      .filter((c) => c.status === 'scheduled' || c.status === 'running')
      .reduce((sum, c) => sum + c.count, 0);
  }
}
