import { type Bell, type JobChange, JobManager } from '@jobservice/core';
import { eventually, newJob, uniqueName } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { dropAndClose, randomPrefix, redisUrl } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pair(): [RedisProvider, RedisProvider] {
  const prefix = randomPrefix('watch');
  const a = new RedisProvider({ url: redisUrl, prefix });
  const b = new RedisProvider({ url: redisUrl, prefix });
  cleanups.push(() => dropAndClose(a));
  cleanups.push(() => b.close());
  return [a, b];
}

describe.skipIf(!redisUrl)('across processes (two providers on one prefix)', () => {
  it("a cancel in one provider reaches the other's watch listener", async () => {
    const [a, b] = pair();
    const heard: JobChange[] = [];
    const unwatch = await b.watch((change) => heard.push(change));
    const name = uniqueName('watched');
    const running = newJob(name);
    const queued = newJob(name); // a later id: the claim takes \`running\`
    await a.insertMany([running, queued]);
    await a.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 60_000 });
    const manager = new JobManager({ store: a });
    await manager.cancel(queued.id);
    await manager.cancel(running.id);
    await eventually(
      () =>
        heard.some((c) => c.id === queued.id && c.status === 'cancelled') &&
        heard.some((c) => c.id === running.id && c.status === 'running' && c.cancelRequested),
      10_000,
      'both cancels heard by the other provider',
    );
    await unwatch();
    await unwatch();
  });

  it('a bell rung on one provider reaches a subscriber of the other', async () => {
    const [a, b] = pair();
    const got: Bell[] = [];
    const sub = await b.subscribe((bell) => got.push(bell), { names: ['only-this'] });
    await a.enqueue([
      { id: 'other', name: 'not-this' },
      { id: 'mine', name: 'only-this', priority: 3 },
    ]);
    await eventually(() => got.some((bell) => bell.id === 'mine'), 10_000, 'the bell');
    expect(got.map((bell) => bell.id)).toEqual(['mine']);
    expect(got[0]).toEqual({ id: 'mine', name: 'only-this', priority: 3 });
    await sub.unsubscribe();
  });
});
