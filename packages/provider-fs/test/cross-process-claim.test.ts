import { BaseJobCallback, JobExecutionResult, JobManager } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from './helpers/proc.js';
import { openWorkerRig } from './helpers/worker-rig.js';

/** The producer's view of the workers' callback: a name only, no code. */
class LedgerEntry extends BaseJobCallback<{ i: number }> {
  static jobName = 'ledger';
  async execute() {
    return JobExecutionResult.success();
  }
}

describe('two worker processes on one fs store and fs queue', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('run 2,000 jobs, each exactly once', async () => {
    const { store, queue, workers, lines } = await openWorkerRig('ledger-worker.ts', cleanups);
    const manager = new JobManager({ store, queue });
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const results = await manager.enqueueMany(
        Array.from({ length: 200 }, (_, k) => ({ callback: LedgerEntry, metadata: { i: batch * 200 + k } })),
      );
      ids.push(...results.map((r) => r.id));
    }
    const deadline = Date.now() + 90_000;
    while (lines().length < ids.length && Date.now() < deadline) await sleep(50);
    await sleep(300); // a duplicate run would show up here

    for (const w of workers) w.process.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const [i, exit] of exits.entries()) expect(exit.code, workers[i]?.stderr()).toBe(0);

    const entries = lines().map((line) => line.split(' ') as [string, string]);
    const ran = entries.map(([id]) => id);
    expect(ran).toHaveLength(ids.length);
    expect(new Set(ran).size).toBe(ids.length);
    expect([...ran].sort()).toEqual([...ids].sort());
    const byWorker = new Map<string, number>();
    for (const [, pid] of entries) byWorker.set(pid, (byWorker.get(pid) ?? 0) + 1);
    expect(byWorker.size).toBe(2);

    let cursor: string | null = null;
    let completed = 0;
    do {
      const page = await store.query({ names: ['ledger'], limit: 100, cursor });
      for (const job of page.items) {
        expect(job).toMatchObject({ status: 'completed', attempt: 1 });
        completed++;
      }
      cursor = page.cursor;
    } while (cursor);
    expect(completed).toBe(ids.length);
  }, 120_000);
});
