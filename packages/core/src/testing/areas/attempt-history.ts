import { HISTORY_LIMIT, type JobDocument } from '../../model/job.js';
import type { KitContext, KitHarness } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

const LEASE_MS = 5_000;

/**
 * Every attempt that ran is recorded on its job: number, outcome, start,
 * end, worker and error, the newest `HISTORY_LIMIT` kept. Attempts that
 * never ran (reserved jobs handed back, cancelled or recovered) leave none.
 */
export function attemptHistoryArea({ test, it, needs, open }: KitContext): void {
  const { expect } = test;

  const claim = (h: KitHarness, name: string, workerId = 'w', start = 1) =>
    h.jobs.claim({ names: [name], limit: 1, start, workerId, leaseMs: LEASE_MS });

  it('a first-try success adds no record: the job itself holds that attempt', async () => {
    const h = await open();
    const name = uniqueName('history-first-try');
    const job = newJob(name);
    await h.store.insert(job);
    const [claimed] = await claim(h, name);
    await h.jobs.settle([{ id: job.id, leaseToken: claimed!.leaseToken, outcome: 'completed', result: 1 }]);
    const done = (await h.store.get(job.id))!;
    expect(done).toMatchObject({ status: 'completed', attempt: 1, history: [] });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt as number);
  });

  it('records a failed then a completed attempt with outcome, start, end and worker', async () => {
    const h = await open();
    const name = uniqueName('history');
    const job = newJob(name, { maxAttempts: 5 });
    await h.store.insert(job);
    const error = { message: 'first try broke' };
    let [claimed] = await claim(h, name, 'worker-a');
    await h.jobs.settle([
      { id: job.id, leaseToken: claimed!.leaseToken, outcome: 'retry', delayMs: 0, error },
    ]);
    expect(await h.store.get(job.id)).toMatchObject({ status: 'scheduled', error, attempt: 1 });
    [claimed] = await claim(h, name, 'worker-b');
    await h.jobs.settle([{ id: job.id, leaseToken: claimed!.leaseToken, outcome: 'completed', result: 7 }]);
    const done = (await h.store.get(job.id))!;
    expect(done).toMatchObject({ status: 'completed', error: null, result: 7, attempt: 2 });
    expect(done.history.map((r) => [r.attempt, r.outcome, r.workerId, r.error])).toEqual([
      [1, 'failed', 'worker-a', error],
      [2, 'completed', 'worker-b', null],
    ]);
    for (const record of done.history) {
      expect(typeof record.startedAt).toBe('number');
      expect(record.at).toBeGreaterThanOrEqual(record.startedAt as number);
    }
    expect(done.history[1]!.at).toBe(done.finishedAt);
  });

  it('records a failed attempt that ends the job, and a started job cancelled by its worker', async () => {
    const h = await open();
    const name = uniqueName('history-end');
    const failed = newJob(name, { maxAttempts: 1 });
    const cancelled = newJob(name);
    await h.store.insert(failed);
    let [claimed] = await claim(h, name);
    const error = { message: 'for good', name: 'PermanentJobError' };
    await h.jobs.settle([{ id: failed.id, leaseToken: claimed!.leaseToken, outcome: 'failed', error }]);
    expect((await h.store.get(failed.id))!.history.map((r) => [r.attempt, r.outcome, r.error])).toEqual([
      [1, 'failed', error],
    ]);
    await h.store.insert(cancelled);
    [claimed] = await claim(h, name);
    const reason = { message: 'cancelled' };
    await h.jobs.settle([
      { id: cancelled.id, leaseToken: claimed!.leaseToken, outcome: 'cancelled', error: reason },
    ]);
    const ended = (await h.store.get(cancelled.id))!;
    expect(ended.status).toBe('cancelled');
    expect(ended.history.map((r) => [r.attempt, r.outcome, r.error])).toEqual([[1, 'cancelled', reason]]);
  });

  it('leaves no record for a reserved job that is released or cancelled before it starts', async () => {
    const h = await open();
    const name = uniqueName('history-reserved');
    const [a, b] = [newJob(name), newJob(name)];
    await h.store.insert(a);
    await h.store.insert(b);
    const claimed = await h.jobs.claim({
      names: [name],
      limit: 2,
      start: 0,
      workerId: 'w',
      leaseMs: LEASE_MS,
    });
    expect(claimed.every((j) => j.reserved)).toBe(true);
    const [first, second] = claimed as [JobDocument, JobDocument];
    await h.jobs.settle([
      { id: first.id, leaseToken: first.leaseToken, outcome: 'release' },
      { id: second.id, leaseToken: second.leaseToken, outcome: 'cancelled', error: { message: 'cancelled' } },
    ]);
    expect((await h.store.get(first.id))!.history).toEqual([]);
    expect((await h.store.get(second.id))!.history).toEqual([]);
  });

  needs('time-travel')(
    'records a lapsed lease as lease-expired, also when a cancel was pending',
    async () => {
      const h = await open();
      const name = uniqueName('history-lapse');
      const job = newJob(name);
      await h.store.insert(job);
      await claim(h, name, 'gone');
      const running = (await h.store.get(job.id))!;
      expect(await h.store.update(job.id, running.version, { cancelRequested: true })).not.toBeNull();
      await h.advanceTime!(LEASE_MS + 1_000);
      await h.jobs.recoverExpired(100);
      const ended = (await h.store.get(job.id))!;
      expect(ended.status).toBe('cancelled');
      expect(ended.history).toHaveLength(1);
      expect(ended.history[0]).toMatchObject({ attempt: 1, outcome: 'lease-expired', workerId: 'gone' });
      expect(ended.history[0]!.error?.message).toContain('lost the lease');
    },
  );

  it(`keeps the newest ${HISTORY_LIMIT} attempts in a job's history`, async () => {
    const h = await open();
    const name = uniqueName('history-bound');
    const job = newJob(name, { maxAttempts: HISTORY_LIMIT + 5 });
    await h.store.insert(job);
    let last: JobDocument | null = null;
    for (let n = 1; n <= HISTORY_LIMIT + 3; n++) {
      const [claimed] = await claim(h, name);
      const error = { message: `failure ${n}` };
      await h.jobs.settle([
        { id: job.id, leaseToken: claimed!.leaseToken, outcome: 'retry', delayMs: 0, error },
      ]);
      last = await h.store.get(job.id);
    }
    expect(last!.history).toHaveLength(HISTORY_LIMIT);
    expect(last!.history[0]!.attempt).toBe(4);
    expect(last!.history[HISTORY_LIMIT - 1]!.error?.message).toBe(`failure ${HISTORY_LIMIT + 3}`);
  });
}
