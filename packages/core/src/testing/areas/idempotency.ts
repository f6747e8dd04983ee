import type { NewJob } from '../../model/job.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, newJob, uniqueName } from '../kit-context.js';

/** Idempotency keys: one job per key, whatever its status, across handles. */
export function idempotencyArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('returns the existing job for a taken key, whatever its status', async () => {
    const h = await open();
    const name = uniqueName('idem');
    const key = uniqueName('key');
    const Callback = defineCallback(name);
    const m = manager(h, [Callback]);
    const first = await m.enqueue(Callback, { n: 1 }, { key });
    expect(first.created).toBe(true);
    expect(await m.enqueue(Callback, { n: 2 }, { key })).toMatchObject({ id: first.id, created: false });
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.drain();
    expect((await m.get(first.id))!.status).toBe('completed');
    expect(await m.enqueue(Callback, { n: 3 }, { key })).toMatchObject({ id: first.id, created: false });
    expect((await m.get(first.id))!.metadata).toEqual({ n: 1 });
    expect((await h.store.query({ key })).items).toHaveLength(1);
  });

  it('honours keys inside and across an insertMany batch', async () => {
    const h = await open();
    const name = uniqueName('many');
    const taken = newJob(name, { key: uniqueName('taken') });
    await h.store.insert(taken);
    const dupKey = uniqueName('dup');
    const a = newJob(name, { key: dupKey });
    const b = newJob(name, { key: dupKey });
    const c = newJob(name, { key: taken.key });
    const d = newJob(name);
    const results = await h.jobs.insertMany([a, b, c, d]);
    expect(results).toEqual([
      { id: a.id, created: true },
      { id: a.id, created: false },
      { id: taken.id, created: false },
      { id: d.id, created: true },
    ]);
    expect((await h.store.query({ names: [name] })).items).toHaveLength(3);
  });

  // Large enough for a store's bulk path (PostgreSQL: COPY from 500 jobs), which must give the same results.
  it('creates each id of a large key-free batch once, a taken or repeated id not at all', async () => {
    const h = await open();
    const name = uniqueName('bulk');
    const text = 'tab\there, back\\slash, new\nline';
    const batch = Array.from({ length: 1_000 }, (_, n) => newJob(name, { metadata: { n, text } }));
    const repeated = { ...(batch[10] as NewJob), metadata: { n: 'again' } };
    const first = await h.jobs.insertMany([...batch, repeated]);
    expect(first).toEqual([...batch, repeated].map((job, i) => ({ id: job.id, created: i < 1_000 })));
    // A batch holding an id that is already stored: the others are created all the same.
    const more = Array.from({ length: 600 }, (_, n) => newJob(name, { metadata: { n: 1_000 + n } }));
    const taken = { ...(batch[500] as NewJob), metadata: { n: 'taken' } };
    const second = await h.jobs.insertMany([...more.slice(0, 300), taken, ...more.slice(300)]);
    expect(second.filter((r) => !r.created)).toEqual([{ id: taken.id, created: false }]);
    expect(second.filter((r) => r.created)).toHaveLength(600);
    expect((await h.store.query({ names: [name], limit: 2_000 })).items).toHaveLength(1_600);
    expect((await h.store.get(repeated.id))!.metadata).toEqual({ n: 10, text });
    expect((await h.store.get(taken.id))!.metadata).toEqual({ n: 500, text });
    expect((await h.store.get(batch[999]!.id))!.metadata).toEqual({ n: 999, text });
  });

  it('creates one job when two handles race on one key', async () => {
    const h = await open();
    const peer = await h.peer();
    const name = uniqueName('race');
    const key = uniqueName('key');
    const attempts = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? h.jobs : peer).insert(newJob(name, { key })),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await h.store.query({ key })).items).toHaveLength(1);
  });
}
