import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, newJob, uniqueName } from '../kit-context.js';

/** Retention: old terminal jobs are pruned by maintenance; live jobs never. */
export function retentionArea({ test, needs, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  needs('time-travel')('prunes terminal jobs past retention and keeps scheduled ones', async () => {
    const h = await open();
    const name = uniqueName('retain');
    const Callback = defineCallback(name, (m: { fail?: boolean }) =>
      m.fail ? JobExecutionResult.fail('no') : JobExecutionResult.success(),
    );
    const m = manager(h, [Callback]);
    const done = await m.enqueue(Callback, {});
    const failed = await m.enqueue(Callback, { fail: true });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    const waiting = await m.enqueue(Callback, {}, { delayMs: 30 * 24 * 3_600_000 });
    await h.advanceTime!(2 * 24 * 3_600_000);
    const d = dispatcher(
      { callbacks: [Callback], retentionMs: 24 * 3_600_000, maintenanceIntervalMs: 20 },
      h,
    );
    let pruned = 0;
    d.on('pruned', ({ count }) => {
      pruned += count;
    });
    await d.start();
    await eventually(
      async () => (await m.get(done.id)) === null && (await m.get(failed.id)) === null,
      15_000,
      'prune',
    );
    await d.stop();
    expect(pruned).toBeGreaterThanOrEqual(2);
    expect((await m.get(waiting.id))!.status).toBe('scheduled');
  });

  needs('time-travel')(
    'prunes only terminal jobs finished before the cut-off, at most the limit per call',
    async () => {
      const h = await open();
      const name = uniqueName('prune');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const job = newJob(name);
        ids.push(job.id);
        await h.store.insert(job);
      }
      const claimed = await h.jobs.claim({ names: [name], limit: 4, workerId: 'w', leaseMs: 600_000 });
      const [c1, c2, c3] = claimed;
      await h.jobs.settle([
        { id: c1!.id, leaseToken: 1, outcome: 'completed', result: null },
        { id: c2!.id, leaseToken: 1, outcome: 'failed', error: { message: 'x' } },
        { id: c3!.id, leaseToken: 1, outcome: 'cancelled', error: null },
      ]);
      await h.advanceTime!(10_000);
      const cutoff = await h.store.now();
      await h.advanceTime!(10_000);
      expect(await h.jobs.prune(cutoff, 2)).toBe(2);
      expect(await h.jobs.prune(cutoff, 10)).toBe(1);
      expect(await h.jobs.prune(cutoff, 10)).toBe(0);
      const left = (await h.store.query({ names: [name] })).items.map((j) => j.status).sort();
      expect(left).toEqual(['running', 'scheduled']);
    },
  );
}
