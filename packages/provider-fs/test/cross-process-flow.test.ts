import { BaseJobCallback, JobExecutionResult, JobManager } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from './helpers/proc.js';
import { openWorkerRig } from './helpers/worker-rig.js';

/** The producer's view of the workers' callback: a name only, no code. */
class FlowKeyed extends BaseJobCallback<{ i: number }> {
  static jobName = 'flow-keyed';
  async execute() {
    return JobExecutionResult.success();
  }
}

describe('fs native flow-control across worker processes', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('never runs more than a key allows across two processes (400 jobs on 8 keys, limit 2)', async () => {
    const { store, queue, workers, lines } = await openWorkerRig('flow-worker.ts', cleanups);
    const manager = new JobManager({ store, queue });
    const total = 400;
    for (let batch = 0; batch < 4; batch++) {
      await manager.enqueueMany(
        Array.from({ length: total / 4 }, (_, k) => {
          const i = batch * (total / 4) + k;
          const key = `tenant:${i % 8}`;
          return {
            callback: FlowKeyed,
            metadata: { i },
            options: { concurrencyKey: key, concurrencyLimit: 2 },
          };
        }),
      );
    }
    const peak = new Map<string, number>();
    const deadline = Date.now() + 90_000;
    while (lines().length < total && Date.now() < deadline) {
      const page = await store.query({ names: ['flow-keyed'], statuses: ['running'], limit: 1_000 });
      const counts = new Map<string, number>();
      for (const job of page.items) {
        const key = job.concurrencyKey ?? '';
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, n] of counts) peak.set(key, Math.max(peak.get(key) ?? 0, n));
      await sleep(5);
    }
    for (const w of workers) w.process.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const [i, exit] of exits.entries()) expect(exit.code, workers[i]?.stderr()).toBe(0);

    const entries = lines().map((line) => line.split(' ') as [string, string]);
    expect(entries).toHaveLength(total);
    expect(new Set(entries.map(([id]) => id)).size).toBe(total);
    expect(new Set(entries.map(([, pid]) => pid)).size).toBe(2);
    expect(peak.size).toBeGreaterThan(0);
    expect([...peak.values()].every((n) => n <= 2)).toBe(true);
  }, 120_000);
});
