import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { recoverPatch } from '../../store/transitions.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, newJob, uniqueName } from '../kit-context.js';

/** Recovery of expired leases: attempt counted, `recovering` seen, never reverting a finished job. */
export function recoveryArea({ test, it, needs, open, dispatcher }: KitContext): void {
  const { expect } = test;

  needs('time-travel')(
    'reruns a job whose worker died, with recovering set and the attempt counted',
    async () => {
      const h = await open();
      const name = uniqueName('recover');
      const seen: Array<{ attempt: number; recovering: boolean }> = [];
      const Callback = defineCallback(name, (_m, ctx) => {
        seen.push({ attempt: ctx.attempt, recovering: ctx.recovering });
        return JobExecutionResult.success('second life');
      });
      const job = newJob(name);
      await h.store.insert(job);
      await h.jobs.claim({ names: [name], limit: 1, workerId: 'dead-worker', leaseMs: 5_000 });
      await h.advanceTime!(6_000);
      const d = dispatcher({ callbacks: [Callback] }, h);
      const recovered: string[] = [];
      d.on('recovered', ({ job }) => recovered.push(job.id));
      await d.start();
      await eventually(
        async () => (await h.store.get(job.id))?.status === 'completed',
        15_000,
        'recovered job to complete',
      );
      await d.stop();
      expect(recovered).toContain(job.id);
      expect(seen).toEqual([{ attempt: 2, recovering: true }]);
      expect(await h.store.get(job.id)).toMatchObject({
        attempt: 2,
        result: 'second life',
        recovering: false,
      });
    },
  );

  needs('time-travel')('fails a job whose worker died on its last attempt', async () => {
    const h = await open();
    const name = uniqueName('spent');
    const job = newJob(name, { maxAttempts: 1 });
    await h.store.insert(job);
    await h.jobs.claim({ names: [name], limit: 1, workerId: 'dead-worker', leaseMs: 5_000 });
    await h.advanceTime!(6_000);
    const recovered = await h.jobs.recoverExpired(100);
    expect(recovered.find((r) => r.job.id === job.id)?.status).toBe('failed');
    expect((await h.store.get(job.id))!.error!.message).toContain('lease expired');
  });

  needs('time-travel')('never reverts a job that completed while the reaper was deciding', async () => {
    const h = await open();
    const name = uniqueName('race');
    await h.store.insert(newJob(name));
    const [claimed] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'slow', leaseMs: 5_000 });
    await h.advanceTime!(6_000);
    const seenByReaper = (await h.store.get(claimed!.id))!;
    const [done] = await h.jobs.settle([
      { id: claimed!.id, leaseToken: 1, outcome: 'completed', result: 'done' },
    ]);
    expect(done!.ok).toBe(true);
    const now = await h.store.now();
    expect(
      await h.store.update(seenByReaper.id, seenByReaper.version, recoverPatch(seenByReaper, now)),
    ).toBeNull();
    expect(await h.jobs.recoverExpired(100)).toEqual([]);
    expect(await h.store.get(claimed!.id)).toMatchObject({ status: 'completed', result: 'done' });
  });

  it('does not recover a lease that is still valid', async () => {
    const h = await open();
    const name = uniqueName('alive');
    await h.store.insert(newJob(name));
    const [claimed] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'alive', leaseMs: 60_000 });
    expect((await h.jobs.recoverExpired(100)).map((r) => r.job.id)).not.toContain(claimed!.id);
    expect((await h.store.get(claimed!.id))!.status).toBe('running');
  });
}
