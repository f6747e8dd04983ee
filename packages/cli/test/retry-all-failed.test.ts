import { JobDispatcher, JobManager, MemoryDocumentProvider, PermanentJobError } from '@jobservice/core';
import { defineCallback, eventually } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import { retryAllFailed } from '../src/commands/retry-failed.js';

async function failedJobs(
  store: MemoryDocumentProvider,
  manager: JobManager,
  count: number,
): Promise<string[]> {
  const Failing = defineCallback('flaky', () => {
    throw new PermanentJobError('no');
  });
  const results = await manager.enqueueMany(
    Array.from({ length: count }, (_, i) => ({ callback: 'flaky', metadata: { i } })),
  );
  const dispatcher = new JobDispatcher({ store, callbacks: [Failing], concurrency: 50, idlePollMs: 10 });
  await dispatcher.start();
  await eventually(
    async () => (await manager.list({ statuses: ['failed'], limit: 1000 })).items.length === count,
  );
  await dispatcher.stop();
  return results.map((r) => r.id);
}

describe('retryAllFailed', () => {
  it('retries every failed job over many pages', async () => {
    const store = new MemoryDocumentProvider();
    const manager = new JobManager({ store });
    const ids = await failedJobs(store, manager, 345);
    const handled: number[] = [];
    expect(await retryAllFailed(manager, undefined, (n) => handled.push(n))).toEqual({
      retried: 345,
      skipped: 0,
    });
    expect(handled.at(-1)).toBe(345);
    for (const id of ids) expect((await manager.get(id))?.status).toBe('scheduled');
  });

  it('ends when retried jobs fail again at once, retrying each once', async () => {
    const store = new MemoryDocumentProvider();
    const manager = new JobManager({ store });
    await failedJobs(store, manager, 230);
    const retried = new Map<string, number>();
    const refailing = Object.create(manager) as JobManager;
    refailing.retry = async (id: string) => {
      retried.set(id, (retried.get(id) ?? 0) + 1);
      const ok = await manager.retry(id);
      const job = await store.get(id);
      if (job) await store.update(id, job.version, { status: 'failed', finishedAt: Date.now() });
      return ok;
    };
    expect(await retryAllFailed(refailing, undefined)).toEqual({ retried: 230, skipped: 0 });
    expect(retried.size).toBe(230);
    expect([...retried.values()].every((n) => n === 1)).toBe(true);
  });

  it('counts jobs that changed before their retry as skipped', async () => {
    const store = new MemoryDocumentProvider();
    const manager = new JobManager({ store });
    await failedJobs(store, manager, 3);
    const racing = Object.create(manager) as JobManager;
    racing.retry = async (id: string) => {
      await manager.delete(id);
      return manager.retry(id);
    };
    expect(await retryAllFailed(racing, ['flaky'])).toEqual({ retried: 0, skipped: 3 });
  });
});
