import type { KitContext } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

/** Compare-and-set: the guard every state change relies on, raced within and across handles. */
export function storeCasArea({ test, it, open }: KitContext): void {
  const { expect } = test;

  it('applies a patch only at the expected version and bumps it', async () => {
    const h = await open();
    const job = newJob(uniqueName('cas'));
    await h.store.insert(job);
    const after = await h.store.update(job.id, 1, { priority: 9, progress: { pct: 10 } });
    expect(after).toMatchObject({ id: job.id, priority: 9, progress: { pct: 10 }, version: 2 });
    expect(await h.store.update(job.id, 1, { priority: 1 })).toBeNull();
    expect(await h.store.get(job.id)).toMatchObject({ priority: 9, version: 2 });
    expect(await h.store.update('01900000-0000-7000-8000-000000000000', 1, { priority: 1 })).toBeNull();
  });

  it('lets exactly one of many racing writers win a version', async () => {
    const h = await open();
    const peer = await h.peer();
    const job = newJob(uniqueName('race'));
    await h.store.insert(job);
    const writers = Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? h.jobs : peer).update(job.id, 1, { priority: i + 1 }),
    );
    const results = await Promise.all(writers);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await h.store.get(job.id))!.priority).toBe(winners[0]!.priority);
  });

  it('loses no increment when many writers retry on conflict', async () => {
    const h = await open();
    const peer = await h.peer();
    const job = newJob(uniqueName('counter'), { metadata: { count: 0 } });
    await h.store.insert(job);
    const increment = async (store: typeof peer, times: number) => {
      for (let done = 0; done < times; ) {
        const current = (await store.get(job.id))!;
        const count = (current.metadata as { count: number }).count;
        if (await store.update(job.id, current.version, { metadata: { count: count + 1 } })) done++;
      }
    };
    await Promise.all([
      increment(h.jobs, 25),
      increment(peer, 25),
      increment(h.jobs, 25),
      increment(peer, 25),
    ]);
    const final = (await h.store.get(job.id))!;
    expect(final.metadata).toEqual({ count: 100 });
    expect(final.version).toBe(101);
  });
}
