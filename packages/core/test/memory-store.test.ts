import { describe, expect, it } from 'vitest';
import { JobDispatcher, JobExecutionResult, JobManager, MemoryDocumentProvider } from '../src/index.js';
import { defineCallback } from '../src/testing/index.js';

describe('memory store: behaves like a real store', () => {
  it('copies what the caller passes: changing it afterwards changes no job', async () => {
    const store = new MemoryDocumentProvider();
    const manager = new JobManager({ store });
    const metadata = { n: 1, nested: { list: [1, 2] } };
    const { id } = await manager.enqueue('echo', metadata);
    metadata.n = 999;
    metadata.nested.list.push(3);
    expect((await store.get(id))!.metadata).toEqual({ n: 1, nested: { list: [1, 2] } });
  });

  it('hands out frozen documents: changing one throws and changes no job', async () => {
    const store = new MemoryDocumentProvider();
    const { id } = await new JobManager({ store }).enqueue('echo', { n: 1 });
    const doc = (await store.get(id))!;
    expect(() => {
      (doc as { status: string }).status = 'completed';
    }).toThrow(TypeError);
    expect(() => {
      (doc.metadata as { n: number }).n = 2;
    }).toThrow(TypeError);
    expect(await store.get(id)).toMatchObject({ status: 'scheduled', metadata: { n: 1 } });
  });

  it('gives a callback metadata it may change without changing the stored job', async () => {
    const store = new MemoryDocumentProvider();
    const Callback = defineCallback<{ n: number }>('mutates', (metadata) => {
      metadata.n += 1;
      return JobExecutionResult.success(metadata.n);
    });
    const manager = new JobManager({ store, callbacks: [Callback] });
    const { id } = await manager.enqueue(Callback, { n: 1 });
    const dispatcher = new JobDispatcher({ store, callbacks: [Callback] });
    await dispatcher.drain();
    expect(await store.get(id)).toMatchObject({ status: 'completed', result: 2, metadata: { n: 1 } });
  });

  it('copies settled results and progress: changing them afterwards changes no job', async () => {
    const store = new MemoryDocumentProvider();
    const { id } = await new JobManager({ store }).enqueue('echo', {});
    const [job] = await store.claim({ names: ['echo'], limit: 1, workerId: 'w', leaseMs: 10_000 });
    const progress = { done: 1 };
    await store.extendLeases([{ id, leaseToken: job!.leaseToken, leaseMs: 10_000, progress }]);
    progress.done = 50;
    const result = { rows: [1] };
    await store.settle([{ id, leaseToken: job!.leaseToken, outcome: 'completed', result }]);
    result.rows.push(2);
    expect(await store.get(id)).toMatchObject({ progress: { done: 1 }, result: { rows: [1] } });
  });
});
