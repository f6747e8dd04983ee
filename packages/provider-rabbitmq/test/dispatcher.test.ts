import {
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  type Logger,
  MemoryDocumentProvider,
} from '@jobservice/core';
import { defineCallback, eventually, uniqueName } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELAY_BUCKETS_MS } from '../src/index.js';
import {
  brokerSkipReason,
  closeConnectionsFromServer,
  disposeQueue,
  openQueue,
  purgeQueues,
  rabbitmqctlSkipReason,
} from './helpers/broker.js';

/** A logger that keeps what it was told. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => lines.push(message);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

describe.skipIf(brokerSkipReason() !== '')('with a dispatcher', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A memory store, this queue, a manager and a dispatcher for one callback that counts its runs. */
  async function setup(dispatcherIdlePollMs: number, logger?: Logger) {
    const name = uniqueName('rmq');
    const runs = new Map<string, number>();
    const Callback = defineCallback(name, (_metadata, ctx) => {
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      return JobExecutionResult.success();
    });
    const store = new MemoryDocumentProvider();
    const queue = await openQueue({ logger, maxReconnectDelayMs: 1_000 });
    const manager = new JobManager({ store, queue, callbacks: [Callback] });
    const dispatcher = new JobDispatcher({
      store,
      queue,
      callbacks: [Callback],
      concurrency: 4,
      idlePollMs: dispatcherIdlePollMs,
    });
    cleanups.push(async () => {
      await dispatcher.stop({ graceMs: 0 });
      await disposeQueue(queue, [name]);
      await store.close();
    });
    const completed = async (ids: string[]) =>
      (await Promise.all(ids.map((id) => store.get(id)))).every((job) => job?.status === 'completed');
    return { name, runs, store, queue, manager, dispatcher, Callback, completed };
  }

  const enqueueSome = async (manager: JobManager, name: string, n: number) =>
    (
      await manager.enqueueMany(Array.from({ length: n }, (_, i) => ({ callback: name, metadata: { i } })))
    ).map((r) => r.id);

  it.skipIf(rabbitmqctlSkipReason() !== '')(
    'reconnects, resubscribes and completes every job after the server closes its connection',
    async () => {
      const logger = recordingLogger();
      // A minute-long idle poll: jobs enqueued after the reconnect can only run through bells.
      const { name, runs, queue, manager, dispatcher, completed } = await setup(60_000, logger);
      await dispatcher.start();
      const before = await enqueueSome(manager, name, 10);
      await eventually(() => completed(before), 15_000, 'the jobs before the disconnect');

      expect(closeConnectionsFromServer(queue.connectionName)).toBeGreaterThanOrEqual(1);
      const during = await enqueueSome(manager, name, 10); // waits out the reconnect
      await eventually(() => logger.lines.some((l) => l.includes('reconnected')), 15_000, 'the reconnect');
      const after = await enqueueSome(manager, name, 10);
      await eventually(() => completed([...during, ...after]), 20_000, 'the jobs after the disconnect');

      expect(logger.lines.some((l) => l.includes('lost the connection'))).toBe(true);
      for (const id of [...before, ...during, ...after]) expect(runs.get(id)).toBe(1);
    },
  );

  it('a bell purged before any dispatcher runs costs nothing: the starting dispatcher claims the job', async () => {
    const { name, queue, manager, dispatcher, completed } = await setup(60_000);
    const { id } = await manager.enqueue(name, {});
    const purged = await purgeQueues([queue.topology.any, queue.topology.nameQueue(name)]);
    expect(purged.reduce((a, b) => a + b, 0)).toBe(1);
    await dispatcher.start();
    await eventually(() => completed([id]), 15_000, 'the job without its bell');
  });

  it('a delayed bell lost while the dispatcher runs costs only latency: the idle claim finds the job', async () => {
    const { name, queue, manager, dispatcher, completed, runs } = await setup(200);
    await dispatcher.start();
    const { id } = await manager.enqueue(name, {}, { delayMs: 1_500 });
    const purged = await purgeQueues(DEFAULT_DELAY_BUCKETS_MS.map((ms) => queue.topology.bucketQueue(ms)));
    expect(purged.reduce((a, b) => a + b, 0)).toBe(1);
    await eventually(() => completed([id]), 15_000, 'the delayed job without its bell');
    expect(runs.get(id)).toBe(1);
  });
});
