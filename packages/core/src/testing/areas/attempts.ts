import type { KitContext, KitHarness } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

const LEASE = { workerId: 'w', leaseMs: 5_000 };

/**
 * Attempts count runs, not claims: reserved (prefetched) jobs, the `start`
 * settlement, releases and recoveries that spend nothing, recovery that
 * keeps a job's place (the history of attempts is `attempt-history`).
 */
export function attemptsArea({ test, it, needs, open }: KitContext): void {
  const { expect } = test;

  const claim = (h: KitHarness, name: string, limit: number, start: number, workerId = 'w') =>
    h.jobs.claim({ names: [name], limit, start, workerId, leaseMs: LEASE.leaseMs });

  it('counts the attempt only for the jobs a claim starts; the rest are reserved', async () => {
    const h = await open();
    const name = uniqueName('reserve');
    const jobs = [3, 2, 1].map((priority) => newJob(name, { priority }));
    for (const j of jobs) await h.store.insert(j);
    const claimed = await claim(h, name, 3, 1);
    expect(claimed.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    const [top, second, third] = await Promise.all(jobs.map((j) => h.store.get(j.id)));
    expect(top).toMatchObject({ status: 'running', reserved: false, attempt: 1, leaseToken: 1 });
    expect(top!.startedAt).not.toBeNull();
    for (const job of [second, third]) {
      expect(job).toMatchObject({
        status: 'running',
        reserved: true,
        attempt: 0,
        leaseToken: 1,
        workerId: 'w',
      });
      expect(job!.startedAt).toBeNull();
    }
  });

  it('starts ahead only jobs that are not recovering and have an attempt to spare', async () => {
    const h = await open();
    const name = uniqueName('ahead');
    const jobs = [
      newJob(name, { priority: 5 }),
      newJob(name, { priority: 4 }),
      newJob(name, { priority: 3, maxAttempts: 1 }),
      newJob(name, { priority: 2 }),
      newJob(name, { priority: 1 }),
    ];
    for (const j of jobs) await h.store.insert(j);
    const second = (await h.store.get(jobs[1]!.id))!;
    await h.store.update(second.id, second.version, { recovering: true });
    const claimed = await h.jobs.claim({ names: [name], limit: 5, start: 1, startAhead: 3, ...LEASE });
    expect(claimed).toHaveLength(5);
    const started = await Promise.all(jobs.map(async (j) => !(await h.store.get(j.id))!.reserved));
    // 0: the one start; 1: recovering; 2: no attempt to spare; 3: started ahead; 4: past start + startAhead.
    expect(started).toEqual([true, false, false, true, false]);
    expect((await h.store.get(jobs[3]!.id))!.attempt).toBe(1);
    expect((await h.store.get(jobs[1]!.id))!.attempt).toBe(0);
  });

  it('starts every claimed job when the claim does not say how many', async () => {
    const h = await open();
    const name = uniqueName('start-all');
    for (let i = 0; i < 3; i++) await h.store.insert(newJob(name));
    const claimed = await h.jobs.claim({ names: [name], limit: 3, ...LEASE });
    expect(claimed.map((j) => [j.reserved, j.attempt])).toEqual([
      [false, 1],
      [false, 1],
      [false, 1],
    ]);
  });

  it('a start settlement counts a reserved job once, and only under its lease', async () => {
    const h = await open();
    const name = uniqueName('start');
    await h.store.insert(newJob(name));
    const [job] = await claim(h, name, 1, 0);
    const start = { id: job!.id, outcome: 'start' as const, leaseMs: 60_000 };
    expect(await h.jobs.settle([{ ...start, leaseToken: job!.leaseToken + 1 }])).toEqual([
      { id: job!.id, ok: false },
    ]);
    const before = await h.store.now();
    expect(await h.jobs.settle([{ ...start, leaseToken: job!.leaseToken }])).toEqual([
      { id: job!.id, ok: true },
    ]);
    const started = (await h.store.get(job!.id))!;
    expect(started).toMatchObject({ status: 'running', reserved: false, attempt: 1, leaseToken: 1 });
    expect(started.startedAt!).toBeGreaterThanOrEqual(before);
    expect(started.leaseExpiresAt!).toBeGreaterThanOrEqual(before + 60_000);
    expect(await h.jobs.settle([{ ...start, leaseToken: job!.leaseToken }])).toEqual([
      { id: job!.id, ok: false },
    ]);
    expect((await h.store.get(job!.id))!.attempt).toBe(1);
  });

  it('release hands back a reserved job and a started one without spending an attempt, in place', async () => {
    const h = await open();
    const name = uniqueName('release');
    const jobs = [newJob(name, { priority: 1 }), newJob(name)];
    for (const j of jobs) await h.store.insert(j);
    const before = await Promise.all(jobs.map((j) => h.store.get(j.id)));
    const claimed = await claim(h, name, 2, 1);
    const results = await h.jobs.settle(
      claimed.map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'release' as const })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    for (const [i, job] of jobs.entries()) {
      const after = (await h.store.get(job.id))!;
      expect(after).toMatchObject({ status: 'scheduled', attempt: 0, reserved: false, workerId: null });
      expect(after.runAt).toBe(before[i]!.runAt);
      expect(after.priority).toBe(before[i]!.priority);
    }
  });

  needs('time-travel')('recovers a reserved job as it was: uncounted, not recovering, in place', async () => {
    const h = await open();
    const name = uniqueName('recover-reserved');
    const job = newJob(name);
    await h.store.insert(job);
    const inserted = (await h.store.get(job.id))!;
    await claim(h, name, 1, 0, 'dead');
    await h.advanceTime!(6_000);
    const recovered = await h.jobs.recoverExpired(100);
    expect(recovered.map((r) => [r.job.id, r.status])).toEqual([[job.id, 'scheduled']]);
    expect(await h.store.get(job.id)).toMatchObject({
      status: 'scheduled',
      attempt: 0,
      reserved: false,
      recovering: false,
      error: null,
      history: [],
      runAt: inserted.runAt,
      leaseExpiresAt: null,
      workerId: null,
    });
  });

  needs('time-travel')(
    'a recovered job keeps its runAt and priority, so it runs before later work',
    async () => {
      const h = await open();
      const name = uniqueName('keep-place');
      const first = newJob(name);
      await h.store.insert(first);
      const inserted = (await h.store.get(first.id))!;
      await claim(h, name, 1, 1, 'dead');
      await h.advanceTime!(1_000);
      for (let i = 0; i < 5; i++) await h.store.insert(newJob(name));
      await h.advanceTime!(5_000);
      await h.jobs.recoverExpired(100);
      const recovered = (await h.store.get(first.id))!;
      expect(recovered).toMatchObject({ status: 'scheduled', attempt: 1, recovering: true });
      expect(recovered.runAt).toBe(inserted.runAt);
      expect(recovered.history).toHaveLength(1);
      expect(recovered.history[0]!.attempt).toBe(1);
      expect(recovered.history[0]).toMatchObject({ outcome: 'lease-expired', workerId: 'dead' });
      expect(recovered.history[0]!.error?.message).toContain('lease expired');
      const [next] = await claim(h, name, 1, 1);
      expect(next!.id).toBe(first.id);
    },
  );

  needs('time-travel')(
    'a job that kills its worker on every run fails after maxAttempts; the jobs reserved beside it spend nothing',
    async () => {
      const h = await open();
      const name = uniqueName('poison');
      const poison = newJob(name, { priority: 5, maxAttempts: 3 });
      const innocent = Array.from({ length: 4 }, () => newJob(name));
      for (const j of [poison, ...innocent]) await h.store.insert(j);
      for (let crash = 1; crash <= 3; crash++) {
        const claimed = await claim(h, name, 5, 1, `dead-${crash}`);
        expect(claimed.find((j) => !j.reserved)?.id).toBe(poison.id);
        await h.advanceTime!(6_000);
        await h.jobs.recoverExpired(100);
      }
      const dead = (await h.store.get(poison.id))!;
      expect(dead).toMatchObject({ status: 'failed', attempt: 3 });
      expect(dead.history.map((r) => [r.attempt, r.outcome, r.workerId])).toEqual([
        [1, 'lease-expired', 'dead-1'],
        [2, 'lease-expired', 'dead-2'],
        [3, 'lease-expired', 'dead-3'],
      ]);
      for (const j of innocent) {
        expect(await h.store.get(j.id)).toMatchObject({ status: 'scheduled', attempt: 0, recovering: false });
      }
    },
  );
}
