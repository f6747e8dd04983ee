import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, newJob, uniqueName } from '../kit-context.js';
import { flowClaimChecks } from './flow-control-claims.js';
import { completedCount, RunTally, sampleStore, startMany, storedOverlap } from './flow-control-helpers.js';
import { flowInputChecks } from './flow-control-input.js';
import { hardTimeoutChecks } from './flow-control-timeouts.js';

/**
 * Flow control: per-key concurrency limits, cluster-wide callback
 * parallelism and rate limits hold across many dispatchers (sampled from
 * the store and from the handlers); a dead worker's key slot frees at lease
 * recovery; hard timeouts settle a handler that ignores its signal.
 */
export function flowControlArea(ctx: KitContext): void {
  const { test, it, needs, open, manager, dispatcher } = ctx;
  const { expect } = test;

  needs('native-flow-control')(
    'never runs more than 2 jobs of one key across 8 dispatchers (1,000 jobs on 10 keys, limit 2)',
    async () => {
      const h = await open();
      const name = uniqueName('keyed');
      const tally = new RunTally();
      const Callback = defineCallback<{ key: string }>(name, async ({ key }) => {
        tally.enter(key);
        await new Promise((resolve) => setTimeout(resolve, 1));
        tally.leave(key);
        return JobExecutionResult.success();
      });
      const m = manager(h, [Callback]);
      const items = Array.from({ length: 1_000 }, (_, i) => {
        const key = `tenant:${i % 10}`;
        return {
          callback: Callback,
          metadata: { key },
          options: { concurrencyKey: key, concurrencyLimit: 2 },
        };
      });
      for (let i = 0; i < items.length; i += 250) await m.enqueueMany(items.slice(i, i + 250));
      const { peak } = await sampleStore(
        h,
        name,
        (job) => job.concurrencyKey ?? '',
        async () => {
          const all = await startMany(ctx, h, 8, { callbacks: [Callback], concurrency: 4 });
          await eventually(
            async () => (await completedCount(h, name)) === 1_000,
            120_000,
            'all 1,000 jobs to complete',
          );
          for (const d of all) await d.stop();
        },
      );
      expect([...tally.peak.values()].every((n) => n <= 2)).toBe(true);
      expect(tally.peak.size).toBe(10);
      expect(Math.max(...tally.peak.values())).toBe(2);
      expect([...peak.values()].every((n) => n <= 2)).toBe(true);
      // The stored times agree: no job of a key starts before the one whose slot it took has finished.
      const stored = await storedOverlap(h, name, (job) => job.concurrencyKey ?? '');
      expect(stored.size).toBe(10);
      expect(Math.max(...stored.values())).toBeLessThanOrEqual(2);
    },
    180_000,
  );

  needs('native-flow-control')('holds a cluster-wide maxParallelism of 3 over 4 dispatchers', async () => {
    const h = await open();
    const name = uniqueName('capped');
    const tally = new RunTally();
    const Callback = defineCallback(name, async () => {
      tally.enter('all');
      await new Promise((resolve) => setTimeout(resolve, 10));
      tally.leave('all');
      return JobExecutionResult.success();
    });
    Object.assign(Callback, { maxParallelism: 3, maxParallelismScope: 'cluster' });
    const m = manager(h, [Callback]);
    await m.enqueueMany(Array.from({ length: 60 }, () => ({ callback: Callback, metadata: {} })));
    const { peak } = await sampleStore(
      h,
      name,
      () => 'all',
      async () => {
        const all = await startMany(ctx, h, 4, { callbacks: [Callback], concurrency: 5 });
        await eventually(
          async () => (await completedCount(h, name)) === 60,
          60_000,
          'all 60 jobs to complete',
        );
        for (const d of all) await d.stop();
      },
    );
    expect(tally.peak.get('all')).toBeLessThanOrEqual(3);
    expect(peak.get('all') ?? 0).toBeLessThanOrEqual(3);
    expect((await storedOverlap(h, name, () => 'all')).get('all')).toBeLessThanOrEqual(3);
  });

  needs('native-flow-control')(
    'starts the next job of a key when its slot frees, not at the idle poll',
    async () => {
      const h = await open();
      const name = uniqueName('key-wake');
      const Callback = defineCallback(name, () => JobExecutionResult.success());
      const options = { concurrencyKey: `one:${name}` };
      await manager(h, [Callback]).enqueueMany(
        Array.from({ length: 3 }, (_, i) => ({ callback: Callback, metadata: { i }, options })),
      );
      // An idle poll of 10 minutes: only the settle that frees the key can start the next job in time.
      const d = dispatcher({ callbacks: [Callback], concurrency: 3, idlePollMs: 600_000 }, h);
      await d.start();
      try {
        await eventually(
          async () => (await completedCount(h, name)) === 3,
          10_000,
          '3 jobs of one key to complete',
        );
      } finally {
        await d.stop();
      }
    },
  );

  needs('native-flow-control')(
    'starts a job deferred by its rate window when the window opens, not at the idle poll',
    async () => {
      const h = await open();
      const name = uniqueName('rate-wake');
      const Callback = defineCallback(name, () => JobExecutionResult.success());
      const rateLimit = { key: `api:${name}`, max: 1, perMs: 300 };
      await manager(h, [Callback]).enqueueMany(
        Array.from({ length: 3 }, (_, i) => ({
          callback: Callback,
          metadata: { i },
          options: { rateLimit },
        })),
      );
      // An idle poll of 10 minutes: only the claim's own wake-up can start the deferred jobs in time.
      const d = dispatcher({ callbacks: [Callback], concurrency: 3, idlePollMs: 600_000 }, h);
      await d.start();
      try {
        for (let done = 1; done <= 3; done++) {
          await eventually(
            async () => (await completedCount(h, name)) >= done,
            10_000,
            `${done} jobs to complete`,
          );
          await h.advanceTime?.(rateLimit.perMs); // a store on a fake clock: open the next window
        }
      } finally {
        await d.stop();
      }
    },
    30_000,
  );

  it('caps a callback per dispatcher with a dispatcher override, without store cost', async () => {
    const h = await open();
    const name = uniqueName('local-cap');
    const tally = new RunTally();
    const Callback = defineCallback(name, async () => {
      tally.enter('d');
      await new Promise((resolve) => setTimeout(resolve, 5));
      tally.leave('d');
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    await m.enqueueMany(Array.from({ length: 30 }, () => ({ callback: Callback, metadata: {} })));
    const d = dispatcher({ callbacks: [Callback], concurrency: 10, maxParallelism: { [name]: 2 } }, h);
    await d.start();
    await d.drain();
    await d.stop();
    expect(tally.peak.get('d')).toBe(2);
  });

  needs('time-travel', 'native-flow-control')(
    'a rate limit of 10 per second over 4 dispatchers: no window of the store clock holds more than 10 starts',
    async () => {
      const h = await open();
      const name = uniqueName('rated');
      const starts: number[] = [];
      const Callback = defineCallback(name, async () => {
        starts.push(await h.store.now());
        return JobExecutionResult.success();
      });
      const m = manager(h, [Callback]);
      const rateLimit = { key: `api:${name}`, max: 10, perMs: 1_000 };
      await m.enqueueMany(
        Array.from({ length: 200 }, (_, i) => ({
          callback: Callback,
          metadata: { i },
          options: { rateLimit },
        })),
      );
      const all = await startMany(ctx, h, 4, { callbacks: [Callback], concurrency: 5 });
      for (let window = 1; window <= 20; window++) {
        await eventually(() => starts.length >= window * 10, 30_000, `${window * 10} starts`);
        await h.advanceTime!(1_000);
      }
      for (const d of all) await d.stop();
      expect(starts).toHaveLength(200);
      // The store's own record of each start (written by the claim that took the window's start).
      const jobs = await h.store.query({ names: [name], limit: 500 });
      const sorted = jobs.items.map((j) => j.startedAt as number).sort((a, b) => a - b);
      expect(sorted).toHaveLength(200);
      for (let i = 0; i < sorted.length; i++) {
        const inWindow = sorted.filter((t) => t >= sorted[i]! && t < sorted[i]! + 1_000).length;
        expect(inWindow).toBeLessThanOrEqual(10);
      }
    },
    120_000,
  );

  needs('time-travel', 'native-flow-control')(
    'a worker killed while holding a key slot frees it at lease recovery',
    async () => {
      const h = await open();
      const name = uniqueName('dead-slot');
      const ran: string[] = [];
      const Callback = defineCallback(name, (_m, ctx) => {
        ran.push(ctx.jobId);
        return JobExecutionResult.success();
      });
      const held = newJob(name, { priority: 9, concurrencyKey: 'tenant:dead', concurrencyLimit: 1 });
      const waiting = newJob(name, { priority: 1, concurrencyKey: 'tenant:dead', concurrencyLimit: 1 });
      await h.store.insert(held);
      await h.store.insert(waiting);
      const [claimed] = await h.jobs.claim({
        names: [name],
        limit: 1,
        start: 1,
        workerId: 'dead',
        leaseMs: 5_000,
      });
      expect(claimed?.id).toBe(held.id);
      const d = dispatcher({ callbacks: [Callback] }, h);
      await d.start();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(ran).toEqual([]);
      expect((await h.store.get(waiting.id))!.status).toBe('scheduled');
      await h.advanceTime!(6_000);
      await eventually(() => ran.length === 2, 15_000, 'both jobs to run after recovery');
      await d.stop();
      expect(new Set(ran)).toEqual(new Set([held.id, waiting.id]));
    },
  );

  hardTimeoutChecks(ctx);
  flowInputChecks(ctx);
  flowClaimChecks(ctx);
}
