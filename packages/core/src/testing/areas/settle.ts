import type { KitContext, KitHarness } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

async function claimOne(h: KitHarness, overrides = {}) {
  const name = uniqueName('settle');
  const job = newJob(name, overrides);
  await h.store.insert(job);
  const [claimed] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'w1', leaseMs: 30_000 });
  if (!claimed) throw new Error('claim returned nothing');
  return claimed;
}

/** Settle and fencing: every outcome's write, heartbeats, and stale leases rejected. */
export function settleArea({ test, it, needs, open }: KitContext): void {
  const { expect } = test;

  it('completes with the result and releases the lease', async () => {
    const h = await open();
    const job = await claimOne(h);
    const [r] = await h.jobs.settle([
      { id: job.id, leaseToken: 1, outcome: 'completed', result: { sent: 3 } },
    ]);
    expect(r).toMatchObject({ id: job.id, ok: true });
    const doc = (await h.store.get(job.id))!;
    expect(doc).toMatchObject({
      status: 'completed',
      result: { sent: 3 },
      leaseExpiresAt: null,
      workerId: null,
    });
    expect(doc.finishedAt).not.toBeNull();
  });

  it('fails, cancels, retries with a delay and releases without counting', async () => {
    const h = await open();
    const failed = await claimOne(h);
    const cancelled = await claimOne(h);
    const retried = await claimOne(h);
    const released = await claimOne(h);
    const now = await h.store.now();
    const results = await h.jobs.settle([
      { id: failed.id, leaseToken: 1, outcome: 'failed', error: { message: 'boom' } },
      { id: cancelled.id, leaseToken: 1, outcome: 'cancelled', error: null },
      { id: retried.id, leaseToken: 1, outcome: 'retry', delayMs: 60_000, error: { message: 'busy' } },
      { id: released.id, leaseToken: 1, outcome: 'release' },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(await h.store.get(failed.id)).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    expect((await h.store.get(cancelled.id))!.status).toBe('cancelled');
    const r = (await h.store.get(retried.id))!;
    expect(r).toMatchObject({
      status: 'scheduled',
      attempt: 1,
      error: { message: 'busy' },
      leaseExpiresAt: null,
    });
    expect(r.runAt).toBeGreaterThanOrEqual(now + 60_000);
    expect(await h.store.get(released.id)).toMatchObject({ status: 'scheduled', attempt: 0, workerId: null });
  });

  it('rejects a settle with a stale lease token and changes nothing', async () => {
    const h = await open();
    const job = await claimOne(h);
    const [r] = await h.jobs.settle([{ id: job.id, leaseToken: 7, outcome: 'completed', result: null }]);
    expect(r!.ok).toBe(false);
    expect(await h.store.get(job.id)).toMatchObject({ status: 'running', version: job.version });
    const [done] = await h.jobs.settle([{ id: job.id, leaseToken: 1, outcome: 'completed', result: 1 }]);
    expect(done!.ok).toBe(true);
    const [late] = await h.jobs.settle([
      { id: job.id, leaseToken: 1, outcome: 'failed', error: { message: 'late' } },
    ]);
    expect(late!.ok).toBe(false);
    expect(await h.store.get(job.id)).toMatchObject({ status: 'completed', result: 1 });
  });

  needs('time-travel')(
    "rejects a zombie worker's settle after its job was recovered and claimed again",
    async () => {
      const h = await open();
      const job = await claimOne(h);
      await h.advanceTime!(31_000);
      const recovered = await h.jobs.recoverExpired(100);
      expect(recovered.map((r) => r.job.id)).toContain(job.id);
      const [again] = await h.jobs.claim({ names: [job.name], limit: 1, workerId: 'w2', leaseMs: 30_000 });
      expect(again).toMatchObject({
        id: job.id,
        leaseToken: 2,
        attempt: 2,
        recovering: true,
        workerId: 'w2',
      });
      const [zombie] = await h.jobs.settle([
        { id: job.id, leaseToken: 1, outcome: 'completed', result: 'zombie' },
      ]);
      expect(zombie!.ok).toBe(false);
      const [live] = await h.jobs.settle([
        { id: job.id, leaseToken: 2, outcome: 'completed', result: 'live' },
      ]);
      expect(live!.ok).toBe(true);
      expect(await h.store.get(job.id)).toMatchObject({
        status: 'completed',
        result: 'live',
        recovering: false,
      });
    },
  );

  it('extends leases, stores progress and reports cancel requests; stale tokens are refused', async () => {
    const h = await open();
    const job = await claimOne(h);
    const before = (await h.store.get(job.id))!.leaseExpiresAt!;
    if (h.advanceTime) await h.advanceTime!(5_000);
    const [ok] = await h.jobs.extendLeases([
      { id: job.id, leaseToken: 1, leaseMs: 60_000, progress: { pct: 50 } },
    ]);
    expect(ok).toEqual({ id: job.id, ok: true, cancelRequested: false });
    const doc = (await h.store.get(job.id))!;
    expect(doc.progress).toEqual({ pct: 50 });
    expect(doc.leaseExpiresAt!).toBeGreaterThan(before);
    await h.store.update(job.id, doc.version, { cancelRequested: true });
    const [told] = await h.jobs.extendLeases([{ id: job.id, leaseToken: 1, leaseMs: 60_000 }]);
    expect(told).toEqual({ id: job.id, ok: true, cancelRequested: true });
    expect((await h.store.get(job.id))!.progress).toEqual({ pct: 50 });
    const [stale] = await h.jobs.extendLeases([{ id: job.id, leaseToken: 3, leaseMs: 60_000 }]);
    expect(stale!.ok).toBe(false);
  });
}
