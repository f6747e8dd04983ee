import type { KitContext } from '../kit-context.js';
import { newJob, uniqueName } from '../kit-context.js';

/** Store CRUD: insert, get, query filters, order and paging, delete, the clock. */
export function storeCrudArea({ test, it, needs, open }: KitContext): void {
  const { expect } = test;

  it('inserts a scheduled job that get returns as written', async () => {
    const h = await open();
    const before = await h.store.now();
    const job = newJob(uniqueName('crud'), {
      metadata: { to: 'ada', tags: ['a', 1, null] },
      priority: 7,
      delayMs: 1_000,
    });
    expect(await h.store.insert(job)).toEqual({ id: job.id, created: true });
    const doc = await h.store.get(job.id);
    expect(doc).toMatchObject({
      id: job.id,
      name: job.name,
      metadata: { to: 'ada', tags: ['a', 1, null] },
      status: 'scheduled',
      priority: 7,
      attempt: 0,
      maxAttempts: 3,
      leaseToken: 0,
      leaseExpiresAt: null,
      workerId: null,
      cancelRequested: false,
      recovering: false,
      key: null,
      version: 1,
    });
    expect(doc!.runAt).toBeGreaterThanOrEqual(before + 1_000);
    expect(doc!.createdAt).toBeGreaterThanOrEqual(before);
  });

  it('returns null for an unknown id', async () => {
    const h = await open();
    expect(await h.store.get('01900000-0000-7000-8000-000000000000')).toBeNull();
  });

  it('honours an absolute runAt', async () => {
    const h = await open();
    const runAt = (await h.store.now()) + 3_600_000;
    const job = newJob(uniqueName('crud'), { runAt });
    await h.store.insert(job);
    expect((await h.store.get(job.id))!.runAt).toBe(runAt);
  });

  it('filters by status, name, key and due time', async () => {
    const h = await open();
    const a = uniqueName('qa');
    const b = uniqueName('qb');
    const due = newJob(a);
    const later = newJob(a, { delayMs: 3_600_000 });
    const keyed = newJob(b, { key: uniqueName('key') });
    for (const j of [due, later, keyed]) await h.store.insert(j);
    const now = await h.store.now();
    const byName = await h.store.query({ names: [a] });
    expect(byName.items.map((j) => j.id).sort()).toEqual([due.id, later.id].sort());
    const dueNow = await h.store.query({ names: [a, b], dueAt: now });
    expect(dueNow.items.map((j) => j.id).sort()).toEqual([due.id, keyed.id].sort());
    const byKey = await h.store.query({ key: keyed.key! });
    expect(byKey.items.map((j) => j.id)).toEqual([keyed.id]);
    expect((await h.store.query({ names: [a], statuses: ['running'] })).items).toHaveLength(0);
  });

  it('orders by claim order: priority descending, then runAt, then id', async () => {
    const h = await open();
    const name = uniqueName('order');
    const now = await h.store.now();
    const low = newJob(name, { priority: -1, runAt: now - 50 });
    const highLate = newJob(name, { priority: 5, runAt: now - 10 });
    const highEarly = newJob(name, { priority: 5, runAt: now - 20 });
    const mid1 = newJob(name, { runAt: now - 30 });
    const mid2 = newJob(name, { runAt: now - 30 });
    for (const j of [low, highLate, highEarly, mid1, mid2]) await h.store.insert(j);
    const page = await h.store.query({ names: [name], order: 'claim' });
    expect(page.items.map((j) => j.id)).toEqual([highEarly.id, highLate.id, mid1.id, mid2.id, low.id]);
  });

  it('pages by id with a cursor, every job exactly once', async () => {
    const h = await open();
    const name = uniqueName('page');
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const j = newJob(name);
      ids.push(j.id);
      await h.store.insert(j);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.store.query({ names: [name], limit: 5, cursor });
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((j) => j.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
  });

  it('deletes a job, guarded by version when given, and frees its key', async () => {
    const h = await open();
    const key = uniqueName('del-key');
    const job = newJob(uniqueName('del'), { key });
    await h.store.insert(job);
    expect(await h.store.delete(job.id, 99)).toBe(false);
    expect(await h.store.get(job.id)).not.toBeNull();
    expect(await h.store.delete(job.id, 1)).toBe(true);
    expect(await h.store.get(job.id)).toBeNull();
    expect(await h.store.delete(job.id)).toBe(false);
    const again = newJob(job.name, { key });
    expect(await h.store.insert(again)).toEqual({ id: again.id, created: true });
  });

  needs('time-travel')('moves its clock when the harness advances time', async () => {
    const h = await open();
    const before = await h.store.now();
    await h.advanceTime!(60_000);
    expect(await h.store.now()).toBeGreaterThanOrEqual(before + 60_000);
  });
}
