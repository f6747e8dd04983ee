import { countJobsFallback, HISTORY_LIMIT, INPUT_LIMITS } from '@jobservice/core';
import { newJob, uniqueName } from '@jobservice/core/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisProvider } from '../src/index.js';
import { dropAndClose, openProvider, redisUrl } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function provider(): RedisProvider {
  const p = openProvider();
  cleanups.push(() => dropAndClose(p));
  return p;
}

describe.skipIf(!redisUrl)('the Redis layout', () => {
  it('keeps every key under the {prefix} hash tag (one cluster slot)', async () => {
    const p = provider();
    const name = uniqueName('layout');
    const jobs = [newJob(name, { key: 'k1', scheduleId: 's1' }), newJob(name, { delayMs: 60_000 })];
    await p.insertMany(jobs);
    const [claimed] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 1_000 });
    await p.settle([
      { id: claimed!.id, leaseToken: claimed!.leaseToken, outcome: 'completed', result: null },
    ]);
    await p.testing.shiftClock(5);
    const admin = new Redis(redisUrl);
    cleanups.push(async () => {
      await admin.quit();
    });
    const keys = await admin.keys(`*${p.prefix}*`);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(key.startsWith(`{${p.prefix}}:`)).toBe(true);
    expect(keys).toContain(`{${p.prefix}}:job:${jobs[0]!.id}`);
    expect(keys).toContain(`{${p.prefix}}:keys`);
    expect(keys).toContain(`{${p.prefix}}:finished`);
    expect(keys).toContain(`{${p.prefix}}:delayed:${name}`);
    expect(await p.deleteAllData()).toBe(keys.length);
    expect(await admin.keys(`*${p.prefix}*`)).toEqual([]);
  });

  it('round-trips extreme numbers exactly and claims int32 priorities and far runAts in order', async () => {
    const p = provider();
    const name = uniqueName('extreme');
    const now = await p.now();
    const top = newJob(name, { priority: 2 ** 31 - 1, runAt: now - 1 });
    const bottom = newJob(name, { priority: -(2 ** 31), runAt: 0 });
    const middle = newJob(name, { priority: 0, runAt: now - 2 });
    const far = newJob(name, { priority: 2 ** 31 - 1, runAt: INPUT_LIMITS.maxRunAt, timeoutMs: 2 ** 52 + 1 });
    await p.insertMany([bottom, middle, top, far]);
    expect(await p.get(far.id)).toMatchObject({ runAt: INPUT_LIMITS.maxRunAt, timeoutMs: 2 ** 52 + 1 });
    const claimed = await p.claim({ names: [name], limit: 10, workerId: 'w', leaseMs: 1_000 });
    expect(claimed.map((j) => j.id)).toEqual([top.id, middle.id, bottom.id]);
    const page = await p.query({ names: [name], order: 'claim' });
    expect(page.items.map((j) => j.id)).toEqual([top.id, far.id, middle.id, bottom.id]);
    const updated = await p.update(far.id, 1, { metadata: { f: 0.1 + 0.2, big: 2 ** 53 - 1, neg: -0.5 } });
    expect(updated?.metadata).toEqual({ f: 0.1 + 0.2, big: 2 ** 53 - 1, neg: -0.5 });
  });

  it(`keeps the newest ${HISTORY_LIMIT} attempt records when settle retries a job again and again`, async () => {
    const p = provider();
    const name = uniqueName('history');
    const job = newJob(name, { maxAttempts: 100 });
    await p.insert(job);
    for (let i = 1; i <= HISTORY_LIMIT + 3; i++) {
      const [claimed] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 1_000 });
      const error = { message: `boom ${i}\n"quoted"`, name: 'E' };
      const [result] = await p.settle([
        { id: job.id, leaseToken: claimed!.leaseToken, outcome: 'retry', delayMs: 0, error },
      ]);
      expect(result?.ok).toBe(true);
    }
    const doc = await p.get(job.id);
    expect(doc!.history).toHaveLength(HISTORY_LIMIT);
    expect(doc!.history[0]!.attempt).toBe(4);
    expect(doc!.history.at(-1)).toMatchObject({
      attempt: HISTORY_LIMIT + 3,
      error: { message: `boom ${HISTORY_LIMIT + 3}\n"quoted"`, name: 'E' },
    });
    expect(doc!.error).toEqual({ message: `boom ${HISTORY_LIMIT + 3}\n"quoted"`, name: 'E' });
  });

  it('counts jobs from its counters exactly as a full scan does, and filters by scheduleId', async () => {
    const p = provider();
    const a = uniqueName('count-a');
    const b = uniqueName('count-b');
    const jobs = [
      newJob(a),
      newJob(a),
      newJob(b, { scheduleId: 'sched' }),
      newJob(b, { scheduleId: 'sched' }),
    ];
    await p.insertMany(jobs);
    const [claimed] = await p.claim({ names: [a], limit: 1, workerId: 'w', leaseMs: 1_000 });
    await p.settle([
      { id: claimed!.id, leaseToken: claimed!.leaseToken, outcome: 'failed', error: { message: 'x' } },
    ]);
    await p.delete(jobs[3]!.id);
    const sort = (c: Array<{ name: string; status: string; count: number }>) =>
      [...c].sort((x, y) => `${x.name}${x.status}`.localeCompare(`${y.name}${y.status}`));
    expect(sort(await p.countJobs())).toEqual(sort(await countJobsFallback(p)));
    expect(sort(await p.countJobs())).toEqual(
      sort([
        { name: a, status: 'scheduled', count: 1 },
        { name: a, status: 'failed', count: 1 },
        { name: b, status: 'scheduled', count: 1 },
      ]),
    );
    expect((await p.query({ scheduleId: 'sched' })).items.map((j) => j.id)).toEqual([jobs[2]!.id]);
  });
});

describe.skipIf(!redisUrl)('large batches', () => {
  it('inserts 10,000 jobs in one insertMany (several scripts, in order) and refuses a bad one writing nothing', async () => {
    const p = provider();
    const name = uniqueName('bulk');
    const key = uniqueName('key');
    const jobs = Array.from({ length: 10_000 }, () => newJob(name));
    jobs[10] = newJob(name, { key });
    jobs[9_990] = newJob(name, { key }); // the same key in a later script: the first wins
    const results = await p.insertMany(jobs);
    expect(results.filter((r) => r.created)).toHaveLength(9_999);
    expect(results[9_990]).toEqual({ id: jobs[10]!.id, created: false });
    expect((await p.countJobs()).find((c) => c.name === name)?.count).toBe(9_999);

    const other = uniqueName('bulk-bad');
    const bad = Array.from({ length: 2_500 }, () => newJob(other));
    bad[2_400] = { ...newJob(other), priority: 2 ** 40 };
    await expect(p.insertMany(bad)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'jobs[2400].priority',
    });
    expect((await p.countJobs()).find((c) => c.name === other)).toBeUndefined();
  });
});
