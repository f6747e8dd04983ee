import type { JobDocument } from '../../model/job.js';
import type { KitContext } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

/** Claim and lease: due jobs only, by name, in claim order, never twice. */
export function claimArea({ test, it, needs, open }: KitContext): void {
  const { expect } = test;

  it('leases due jobs of the asked names in claim order, counting the attempt', async () => {
    const h = await open();
    const name = uniqueName('claim');
    const other = uniqueName('other');
    const low = newJob(name, { priority: 0 });
    const high = newJob(name, { priority: 3 });
    const notDue = newJob(name, { priority: 9, delayMs: 3_600_000 });
    const foreign = newJob(other, { priority: 9 });
    for (const j of [low, high, notDue, foreign]) await h.store.insert(j);
    const now = await h.store.now();
    const claimed = await h.jobs.claim({ names: [name], limit: 10, workerId: 'w1', leaseMs: 30_000 });
    expect(claimed.map((j) => j.id)).toEqual([high.id, low.id]);
    for (const job of claimed) {
      expect(job).toMatchObject({ status: 'running', attempt: 1, leaseToken: 1, workerId: 'w1' });
      expect(job.leaseExpiresAt!).toBeGreaterThanOrEqual(now + 30_000);
      expect(job.startedAt!).toBeGreaterThanOrEqual(now);
    }
    expect(await h.store.get(high.id)).toMatchObject({ status: 'running', attempt: 1, leaseToken: 1 });
    expect((await h.store.get(notDue.id))!.status).toBe('scheduled');
    expect((await h.store.get(foreign.id))!.status).toBe('scheduled');
  });

  it('claims in priority, runAt, id order however the jobs were inserted', async () => {
    const h = await open();
    const name = uniqueName('order');
    const now = await h.store.now();
    const jobs = [
      newJob(name, { runAt: now - 10 }),
      newJob(name, { runAt: now - 30 }),
      newJob(name, { priority: 2, runAt: now - 5 }),
      newJob(name, { runAt: now - 20 }),
      newJob(name, { priority: 2, runAt: now - 40 }),
      newJob(name, { runAt: now - 30 }),
    ];
    for (const j of jobs) await h.store.insert(j);
    const order: string[] = [];
    for (;;) {
      const [next] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
      if (!next) break;
      order.push(next.id);
    }
    const [a, b, c, d, e, f] = jobs.map((j) => j.id);
    expect(order).toEqual([e, c, b, f, d, a]);
  });

  it('fills a batch with the best due jobs across priorities and names, passing over jobs due later', async () => {
    const h = await open();
    const [x, y] = [uniqueName('batch-x'), uniqueName('batch-y')];
    const now = await h.store.now();
    const later = now + 3_600_000;
    const jobs = {
      xTopLater: newJob(x, { priority: 9, runAt: later }),
      xHigh1: newJob(x, { priority: 5, runAt: now - 20 }),
      yHigh: newJob(y, { priority: 5, runAt: now - 10 }),
      xHigh2: newJob(x, { priority: 5, runAt: now - 5 }),
      yMid: newJob(y, { priority: 3, runAt: now - 50 }),
      xMidLater: newJob(x, { priority: 3, runAt: later }),
      xMid: newJob(x, { priority: 3, runAt: now - 40 }),
      xLow: newJob(x, { priority: 0, runAt: now - 100 }),
      yLow: newJob(y, { priority: -1, runAt: now - 100 }),
    };
    for (const j of Object.values(jobs)) await h.store.insert(j);
    const claim = (names: string[], limit: number) =>
      h.jobs
        .claim({ names, limit, workerId: 'w', leaseMs: 30_000 })
        .then((got) => got.map((j) => j.id).sort());
    const ids = (...picked: Array<{ id: string }>) => picked.map((j) => j.id).sort();
    expect(await claim([x], 3)).toEqual(ids(jobs.xHigh1, jobs.xHigh2, jobs.xMid));
    expect(await claim([x, y], 2)).toEqual(ids(jobs.yHigh, jobs.yMid));
    expect(await claim([x, y], 10)).toEqual(ids(jobs.xLow, jobs.yLow));
    expect(await claim([x, y], 10)).toEqual([]);
  });

  it('returns at most limit jobs', async () => {
    const h = await open();
    const name = uniqueName('limit');
    for (let i = 0; i < 7; i++) await h.store.insert(newJob(name));
    expect(await h.jobs.claim({ names: [name], limit: 3, workerId: 'w', leaseMs: 30_000 })).toHaveLength(3);
    expect(await h.jobs.claim({ names: [name], limit: 10, workerId: 'w', leaseMs: 30_000 })).toHaveLength(4);
    expect(await h.jobs.claim({ names: [name], limit: 10, workerId: 'w', leaseMs: 30_000 })).toHaveLength(0);
  });

  it('never hands one job to two racing claimers', async () => {
    const h = await open();
    const peer = await h.peer();
    const name = uniqueName('race');
    const total = 60;
    await h.jobs.insertMany(Array.from({ length: total }, () => newJob(name)));
    const claimers = Array.from({ length: 8 }, async (_, i) => {
      const store = i % 2 === 0 ? h.jobs : peer;
      const mine: JobDocument[] = [];
      for (;;) {
        const batch = await store.claim({ names: [name], limit: 4, workerId: `w${i}`, leaseMs: 30_000 });
        if (batch.length === 0) return mine;
        mine.push(...batch);
      }
    });
    const all = (await Promise.all(claimers)).flat();
    const ids = all.map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(total);
  });

  needs('time-travel')('claims a delayed job once its time comes', async () => {
    const h = await open();
    const name = uniqueName('delay');
    const job = newJob(name, { delayMs: 60_000 });
    await h.store.insert(job);
    expect(await h.jobs.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 })).toHaveLength(0);
    await h.advanceTime!(61_000);
    const claimed = await h.jobs.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
    expect(claimed.map((j) => j.id)).toEqual([job.id]);
  });
}
