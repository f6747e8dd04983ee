import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { ParentOutcome } from '../../flow/continuation-options.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, newJob, uniqueName } from '../kit-context.js';

/**
 * Continuations and flows: `waiting` until every parent ends, released in
 * order, cancelled or run by `onParentFailure`, released after a crash by
 * the sweep, refused (nothing written) for cycles and unknown parents.
 */
export function continuationsArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('runs a diamond flow in order, the last job seeing both results', async () => {
    const h = await open();
    const base = uniqueName('diamond');
    const events: string[] = [];
    let seen: ParentOutcome[] = [];
    const step = (label: string) =>
      defineCallback<{ n: number }>(`${base}-${label}`, async (metadata, ctx) => {
        events.push(`start ${label}`);
        if (label === 'd') seen = await ctx.parents();
        events.push(`end ${label}`);
        return JobExecutionResult.success({ from: label, n: metadata.n });
      });
    const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(step) as [
      ReturnType<typeof step>,
      ...ReturnType<typeof step>[],
    ];
    const callbacks = [A, B, C, D].filter((c) => c !== undefined);
    const m = manager(h, callbacks);
    const flow = await m.enqueueFlow({
      d: { callback: D!, metadata: { n: 4 }, after: ['b', 'c'] },
      a: { callback: A, metadata: { n: 1 } },
      b: { callback: B!, metadata: { n: 2 }, after: ['a'] },
      c: { callback: C!, metadata: { n: 3 }, after: ['a'] },
    });
    expect(Object.values(flow).every((r) => r.created)).toBe(true);
    expect(await m.get(flow.a!.id)).toMatchObject({ status: 'scheduled', parents: [] });
    expect(await m.get(flow.d!.id)).toMatchObject({
      status: 'waiting',
      parents: [flow.b!.id, flow.c!.id],
      onParentFailure: 'cancel',
    });
    const d = dispatcher({ callbacks, concurrency: 4 }, h);
    for (let round = 0; round < 6 && (await m.get(flow.d!.id))!.status !== 'completed'; round++)
      await d.drain();
    expect(await m.get(flow.d!.id)).toMatchObject({ status: 'completed', result: { from: 'd', n: 4 } });
    const at = (e: string) => events.indexOf(e);
    expect(at('end a')).toBeLessThan(at('start b'));
    expect(at('end a')).toBeLessThan(at('start c'));
    expect(Math.max(at('end b'), at('end c'))).toBeLessThan(at('start d'));
    expect(seen).toEqual([
      { id: flow.b!.id, name: `${base}-b`, status: 'completed', result: { from: 'b', n: 2 }, error: null },
      { id: flow.c!.id, name: `${base}-c`, status: 'completed', result: { from: 'c', n: 3 }, error: null },
    ]);
  });

  it("cancels a failed parent's continuations unrun (transitively) by default, and runs them with 'run'", async () => {
    const h = await open();
    const base = uniqueName('parent-fails');
    const ran: string[] = [];
    const seen = new Map<string, ParentOutcome[]>();
    const Parent = defineCallback(`${base}-parent`, () => JobExecutionResult.fail('card declined'));
    const Child = defineCallback(`${base}-child`, async (_m, ctx) => {
      ran.push(ctx.jobId);
      seen.set(ctx.jobId, await ctx.parents());
      return JobExecutionResult.success();
    });
    const callbacks = [Parent, Child];
    const m = manager(h, callbacks);
    const { id: parent } = await m.enqueue(Parent, {}, { maxAttempts: 1 });
    const { id: cancelled } = await m.enqueue(Child, {}, { after: [parent] });
    const { id: grandchild } = await m.enqueue(Child, {}, { after: [cancelled], onParentFailure: 'run' });
    const { id: runs } = await m.enqueue(Child, {}, { after: [parent], onParentFailure: 'run' });
    const d = dispatcher({ callbacks }, h);
    for (let round = 0; round < 4; round++) await d.drain();
    expect(await m.get(cancelled)).toMatchObject({
      status: 'cancelled',
      attempt: 0,
      error: { message: `cancelled: parent ${parent} ended failed` },
    });
    expect((await m.get(grandchild))!.status).toBe('completed'); // 'run': its parent was cancelled, it runs anyway
    expect((await m.get(runs))!.status).toBe('completed');
    expect(ran).not.toContain(cancelled);
    expect(seen.get(runs)?.map((p) => [p.id, p.status])).toEqual([[parent, 'failed']]);
    expect(seen.get(grandchild)?.map((p) => [p.id, p.status])).toEqual([[cancelled, 'cancelled']]);
  });

  it('a child enqueued after parents that already ended is released at once', async () => {
    const h = await open();
    const name = uniqueName('late-child');
    const Callback = defineCallback(name, () => JobExecutionResult.success(1));
    const m = manager(h, [Callback]);
    const { id: parent } = await m.enqueue(Callback, {});
    await dispatcher({ callbacks: [Callback] }, h).drain();
    const { id: child } = await m.enqueue(Callback, {}, { after: [parent] });
    expect((await m.get(child))!.status).toBe('scheduled');
  });

  it('a worker gone between a parent ending and its child being released: the sweep releases the child', async () => {
    const h = await open();
    const name = uniqueName('crash-release');
    const Callback = defineCallback(name, () => JobExecutionResult.success('done'));
    const m = manager(h, [Callback]);
    const parent = newJob(name, { key: null });
    await h.store.insert(parent);
    const { id: child } = await m.enqueue(Callback, {}, { after: [parent.id] });
    expect((await m.get(child))!.status).toBe('waiting');
    // The parent ends through the store alone, as if its worker died right after the settle.
    const [claimed] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'gone', leaseMs: 30_000 });
    await h.jobs.settle([
      { id: parent.id, leaseToken: claimed!.leaseToken, outcome: 'completed', result: 1 },
    ]);
    expect((await m.get(child))!.status).toBe('waiting');
    const d = dispatcher({ callbacks: [Callback] }, h);
    expect(await d.releaseWaiting()).toBe(1);
    await d.drain();
    expect(await m.get(child)).toMatchObject({ status: 'completed', result: 'done' });
  });

  it("a settle's childrenWaiting, where the store reports it, is never false for a parent a child waits on", async () => {
    const h = await open();
    const name = uniqueName('children-waiting');
    const m = manager(h);
    const [parent, lone] = [newJob(name, { key: null }), newJob(name, { key: null })];
    await h.store.insert(parent);
    await h.store.insert(lone);
    await m.enqueue(name, {}, { after: [parent.id] });
    const claimed = await h.jobs.claim({ names: [name], limit: 2, workerId: 'w', leaseMs: 30_000 });
    expect(claimed).toHaveLength(2);
    const results = await h.jobs.settle(
      claimed.map((job) => ({
        id: job.id,
        leaseToken: job.leaseToken,
        outcome: 'completed' as const,
        result: null,
      })),
    );
    const of = (id: string) => results[claimed.findIndex((job) => job.id === id)]!;
    expect(of(parent.id).ok).toBe(true);
    expect(of(parent.id).childrenWaiting).not.toBe(false);
    expect(of(lone.id).childrenWaiting === undefined || of(lone.id).childrenWaiting === false).toBe(true);
  });

  it('cancelling or deleting a parent settles its waiting children; a waiting child can be cancelled', async () => {
    const h = await open();
    const name = uniqueName('cancel-parent');
    const m = manager(h);
    const { id: parent } = await m.enqueue(name, {}, { delayMs: 60_000 });
    const { id: child } = await m.enqueue(name, {}, { after: [parent] });
    const { id: other } = await m.enqueue(name, {}, { delayMs: 60_000 });
    const { id: orphan } = await m.enqueue(name, {}, { after: [other], onParentFailure: 'run' });
    const { id: lone } = await m.enqueue(name, {}, { after: [other] });
    expect(await m.cancel(parent)).toBe('cancelled');
    expect((await m.get(child))!.status).toBe('cancelled');
    expect(await m.cancel(lone)).toBe('cancelled');
    await m.delete(other);
    expect((await m.get(orphan))!.status).toBe('scheduled');
  });

  it('refuses cycles, unknown parents, keys and bad options at the call, writing nothing', async () => {
    const h = await open();
    const name = uniqueName('refuse');
    const m = manager(h);
    const before = (await m.list({ names: [name] })).items.length;
    const cycle = await m
      .enqueueFlow({
        a: { callback: name, metadata: {}, after: ['c'] },
        b: { callback: name, metadata: {}, after: ['a'] },
        c: { callback: name, metadata: {}, after: ['b'] },
        d: { callback: name, metadata: {}, after: ['c'] },
      })
      .catch((error: Error) => error);
    expect((cycle as { code?: string }).code).toBe('INVALID_INPUT');
    expect(/cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/.test((cycle as Error).message)).toBe(true);
    await expect(m.enqueueFlow({ a: { callback: name, metadata: {}, after: ['a'] } })).rejects.toMatchObject({
      field: 'flow.a.after',
    });
    await expect(
      m.enqueueFlow({
        a: { callback: name, metadata: {} },
        b: { callback: name, metadata: {}, after: ['nope'] },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'flow.b.after[0]' });
    await expect(m.enqueue(name, {}, { after: ['no-such-job'] })).rejects.toMatchObject({
      field: 'options.after[0]',
    });
    await expect(m.enqueue(name, {}, { after: [] })).rejects.toMatchObject({ field: 'options.after' });
    await expect(m.enqueue(name, {}, { onParentFailure: 'run' })).rejects.toMatchObject({
      field: 'options.onParentFailure',
    });
    await expect(
      m.enqueueFlow({ a: { callback: name, metadata: {}, options: { key: 'k' } as never } }),
    ).rejects.toMatchObject({ field: 'flow.a.options.key' });
    expect((await m.list({ names: [name] })).items.length).toBe(before);
  });

  it('finds waiting jobs by parent with query({ statuses: [waiting], parentIds })', async () => {
    const h = await open();
    const name = uniqueName('by-parent');
    const m = manager(h);
    const [p1, p2] = [
      await m.enqueue(name, {}, { delayMs: 60_000 }),
      await m.enqueue(name, {}, { delayMs: 60_000 }),
    ];
    const c1 = await m.enqueue(name, {}, { after: [p1.id] });
    const c12 = await m.enqueue(name, {}, { after: [p1.id, p2.id] });
    const c2 = await m.enqueue(name, {}, { after: [p2.id] });
    const of = async (ids: string[]) =>
      (await h.store.query({ statuses: ['waiting'], parentIds: ids })).items.map((j) => j.id).sort();
    expect(await of([p1.id])).toEqual([c1.id, c12.id].sort());
    expect(await of([p2.id])).toEqual([c12.id, c2.id].sort());
    expect(await of([p1.id, p2.id])).toEqual([c1.id, c12.id, c2.id].sort());
    expect(await of(['unrelated'])).toEqual([]);
  });
}
