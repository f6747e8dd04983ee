import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, newJob, uniqueName } from '../kit-context.js';

/** Labels: stored at insert, never changed by later writes, and filterable (with names, statuses and paging). */
export function labelsArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('keeps labels through claim, heartbeat and settle; a job without labels has {}', async () => {
    const h = await open();
    const name = uniqueName('labels');
    const labelled = newJob(name, { labels: { domain: 'orders', orderId: '42' } });
    const plain = newJob(name);
    await h.store.insert(labelled);
    await h.store.insert(plain);
    expect((await h.store.get(labelled.id))!.labels).toEqual({ domain: 'orders', orderId: '42' });
    expect((await h.store.get(plain.id))!.labels).toEqual({});
    const claimed = await h.jobs.claim({ names: [name], limit: 2, workerId: 'w1', leaseMs: 30_000 });
    expect(claimed.find((j) => j.id === labelled.id)!.labels).toEqual({ domain: 'orders', orderId: '42' });
    for (const job of claimed) {
      await h.jobs.extendLeases([{ id: job.id, leaseToken: job.leaseToken, leaseMs: 30_000, progress: 1 }]);
      await h.jobs.settle([{ id: job.id, leaseToken: job.leaseToken, outcome: 'completed', result: null }]);
    }
    expect(await h.store.get(labelled.id)).toMatchObject({
      status: 'completed',
      labels: { domain: 'orders', orderId: '42' },
    });
  });

  it('lists jobs holding every given label, with names, statuses and cursor paging', async () => {
    const h = await open();
    const name = uniqueName('find');
    const other = uniqueName('find-other');
    const m = manager(h);
    const tenant = uniqueName('tenant');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await m.enqueue(name, { i }, { labels: { tenant, orderId: String(i % 2) } })).id);
    }
    const foreign = await m.enqueue(other, {}, { labels: { tenant, orderId: '0' } });
    await m.enqueue(name, {}, { labels: { tenant: `${tenant}-x` } });
    const byTenant = await m.list({ labels: { tenant }, names: [name] });
    expect(byTenant.items.map((j) => j.id)).toEqual(ids);
    const both = await m.list({ labels: { tenant, orderId: '0' } });
    expect(both.items.map((j) => j.id)).toEqual([ids[0], ids[2], ids[4], foreign.id]);
    await m.cancel(ids[2] as string);
    const cancelled = await m.list({ labels: { tenant, orderId: '0' }, statuses: ['cancelled'] });
    expect(cancelled.items.map((j) => j.id)).toEqual([ids[2]]);
    const first = await m.list({ labels: { tenant }, names: [name], limit: 2 });
    expect(first.items.map((j) => j.id)).toEqual(ids.slice(0, 2));
    const second = await m.list({ labels: { tenant }, names: [name], limit: 2, cursor: first.cursor });
    expect(second.items.map((j) => j.id)).toEqual(ids.slice(2, 4));
    const third = await m.list({ labels: { tenant }, names: [name], limit: 2, cursor: second.cursor });
    expect(third.items.map((j) => j.id)).toEqual(ids.slice(4));
    expect(third.cursor).toBeNull();
    expect((await m.list({ labels: { tenant: `${tenant}-none` } })).items).toEqual([]);
  });

  it('refuses bad labels at enqueue and in a query, naming the field and writing nothing', async () => {
    const h = await open();
    const name = uniqueName('bad-labels');
    const m = manager(h);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    const cases: Array<[unknown, string]> = [
      [{ orderId: 42 }, 'options.labels.orderId'],
      [{ 'bad key': 'v' }, 'options.labels.bad key'],
      [{ note: 'x'.repeat(257) }, 'options.labels.note'],
      [many, 'options.labels'],
      [['a'], 'options.labels'],
    ];
    for (const [labels, field] of cases) {
      await expect(m.enqueue(name, {}, { labels: labels as Record<string, string> })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field,
      });
    }
    expect((await h.store.query({ names: [name] })).items).toEqual([]);
    await expect(m.list({ labels: { n: 1 as unknown as string } })).rejects.toMatchObject({
      field: 'query.labels.n',
    });
  });

  it('gives every job a schedule fires the schedule’s labels', async () => {
    const h = await open();
    const name = uniqueName('labelled-schedule');
    const Callback = defineCallback(name, () => JobExecutionResult.success());
    const m = manager(h, [Callback]);
    const schedule = await m.schedule(`${name}-s`, Callback, {
      cron: '0 0 1 1 *',
      labels: { domain: 'reports' },
    });
    const { id } = await m.runScheduleNow(schedule.id);
    expect((await m.get(id))!.labels).toEqual({ domain: 'reports' });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect((await m.list({ labels: { domain: 'reports' }, names: [name] })).items.map((j) => j.id)).toEqual([
      id,
    ]);
  });
}
