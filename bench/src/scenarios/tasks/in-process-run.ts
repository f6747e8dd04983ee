import { performance } from 'node:perf_hooks';
import { type IDocumentDataProvider, type IQueueProvider, JobDispatcher, JobManager } from '@jobservice/core';
import { NOOP, noopCallback } from '../../systems/noop-callback.js';

/** What {@link runInProcess} measured. */
export interface InProcessRun {
  /** Jobs per second in the run phase (dispatcher start → last settle written). */
  rate: number;
  /** Jobs per second while enqueueing (enqueueMany in chunks of 10k). */
  enqueueRate: number;
}

/**
 * Pre-inserts `jobs` no-op jobs (enqueueMany in chunks of 10k) and times a
 * dispatcher from `start()` to the `completed` event of the last job (which
 * fires once its settle is written).
 */
export async function runInProcess(
  store: IDocumentDataProvider,
  queue: IQueueProvider,
  options: { jobs: number; concurrency?: number; prefetch?: number; onPhase?: (phase: 'run') => void },
): Promise<InProcessRun> {
  const manager = new JobManager({ store, queue });
  const enqueueStarted = performance.now();
  for (let done = 0; done < options.jobs; done += 10_000) {
    const size = Math.min(10_000, options.jobs - done);
    await manager.enqueueMany(Array.from({ length: size }, () => ({ callback: NOOP, metadata: {} })));
  }
  const enqueueRate = (options.jobs / (performance.now() - enqueueStarted)) * 1000;
  options.onPhase?.('run');
  const dispatcher = new JobDispatcher({
    store,
    queue,
    callbacks: [noopCallback()],
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.prefetch ? { prefetch: options.prefetch } : {}),
  });
  let completed = 0;
  let failure: unknown;
  const done = new Promise<void>((resolve) => {
    dispatcher.on('completed', () => {
      if (++completed === options.jobs) resolve();
    });
    dispatcher.on('error', ({ error }) => {
      failure ??= error;
      resolve();
    });
  });
  const started = performance.now();
  await dispatcher.start();
  await done;
  const elapsed = performance.now() - started;
  await dispatcher.stop();
  if (failure) throw failure;
  return { rate: (options.jobs / elapsed) * 1000, enqueueRate };
}
