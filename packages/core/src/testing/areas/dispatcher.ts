import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { PermanentJobError } from '../../errors.js';
import { JobManager } from '../../manager/job-manager.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, uniqueName, untilAborted } from '../kit-context.js';

/** The JobManager/JobDispatcher behaviour suite, run over the provider under test. */
export function dispatcherArea({ test, it, needs, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('runs every enqueued job once and waitFor resolves with its result', async () => {
    const h = await open();
    const name = uniqueName('run');
    const runs = new Map<number, number>();
    const Callback = defineCallback(name, (m: { i: number }) => {
      runs.set(m.i, (runs.get(m.i) ?? 0) + 1);
      return JobExecutionResult.success({ doubled: m.i * 2 });
    });
    const m = manager(h, [Callback]);
    const results = await m.enqueueMany(
      Array.from({ length: 40 }, (_, i) => ({ callback: Callback, metadata: { i } })),
    );
    const d = dispatcher({ callbacks: [Callback], concurrency: 4 }, h);
    await d.start();
    expect(await m.waitFor(results[7]!.id)).toEqual({ doubled: 14 });
    await d.drain();
    await d.stop();
    expect(runs.size).toBe(40);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const page = await m.list({ names: [name], statuses: ['completed'], limit: 100 });
    expect(page.items).toHaveLength(40);
  });

  it('picks up a job enqueued while it is idle', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('idle'), () => JobExecutionResult.success('woke'));
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.start();
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {});
    expect(await m.waitFor(id)).toBe('woke');
    await d.stop();
  });

  it('claims a job that came without a bell while another job runs', async () => {
    const h = await open();
    const name = uniqueName('busy-due');
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const Callback = defineCallback(name, async (m: { hold?: boolean }) => {
      if (m.hold) await held;
      return JobExecutionResult.success(m.hold ? 'held' : 'due');
    });
    // No queue anywhere: only the dispatcher's timer can find the second job.
    const m = new JobManager({ store: h.store, callbacks: [Callback] });
    const d = dispatcher({ callbacks: [Callback], concurrency: 2, queue: undefined }, h);
    const first = await m.enqueue(Callback, { hold: true });
    const started = new Promise<void>((resolve) => d.once('started', () => resolve()));
    await d.start();
    await started;
    const second = await m.enqueue(Callback, {});
    expect(await m.waitFor(second.id)).toBe('due');
    expect((await m.get(first.id))?.status).toBe('running');
    release();
    expect(await m.waitFor(first.id)).toBe('held');
    await d.stop();
  });

  it('retries a thrown error per the backoff until it succeeds', async () => {
    const h = await open();
    let calls = 0;
    const Callback = defineCallback(uniqueName('flaky'), (_m, ctx) => {
      calls++;
      if (ctx.attempt < 3) throw new Error(`flake ${ctx.attempt}`);
      return JobExecutionResult.success(ctx.attempt);
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {}, { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 0 } });
    const d = dispatcher({ callbacks: [Callback] }, h);
    const retrying: string[] = [];
    d.on('retrying', ({ error }) => retrying.push(error.message));
    await d.drain();
    expect(calls).toBe(3);
    expect(retrying).toEqual(['flake 1', 'flake 2']);
    expect(await m.get(id)).toMatchObject({ status: 'completed', result: 3, attempt: 3 });
  });

  it('fails after the last attempt and waitFor rejects', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('doomed'), () => {
      throw new Error('always');
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {}, { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    const job = (await m.get(id))!;
    expect(job).toMatchObject({ status: 'failed', attempt: 2 });
    expect(job.error!.message).toContain('always');
    await expect(m.waitFor(id)).rejects.toMatchObject({ code: 'JOB_FAILED' });
  });

  it('fails at once on PermanentJobError or JobExecutionResult.fail', async () => {
    const h = await open();
    const Permanent = defineCallback(uniqueName('perm'), () => {
      throw new PermanentJobError('bad address');
    });
    const Fail = defineCallback(uniqueName('fail'), () => JobExecutionResult.fail('refused'));
    const m = manager(h, [Permanent, Fail]);
    const a = await m.enqueue(Permanent, {}, { maxAttempts: 5 });
    const b = await m.enqueue(Fail, {}, { maxAttempts: 5 });
    await dispatcher({ callbacks: [Permanent, Fail] }, h).drain();
    expect(await m.get(a.id)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { message: 'bad address' },
    });
    expect(await m.get(b.id)).toMatchObject({ status: 'failed', attempt: 1, error: { message: 'refused' } });
  });

  needs('time-travel')('reschedules JobExecutionResult.retry after its delay', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('later'), (_m, ctx) =>
      ctx.attempt === 1
        ? JobExecutionResult.retry({ delayMs: 60_000, reason: 'not yet' })
        : JobExecutionResult.success('now'),
    );
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {});
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.drain();
    expect(await m.get(id)).toMatchObject({ status: 'scheduled', attempt: 1, error: { message: 'not yet' } });
    await h.advanceTime!(61_000);
    await d.drain();
    expect(await m.get(id)).toMatchObject({ status: 'completed', result: 'now', attempt: 2 });
  });

  it('aborts an attempt at its timeout and retries it', async () => {
    const h = await open();
    const reasons: unknown[] = [];
    const Callback = defineCallback(uniqueName('slow'), async (_m, ctx) => {
      if (ctx.attempt === 1) {
        await untilAborted(ctx.signal);
        reasons.push(ctx.signal.reason);
        return JobExecutionResult.success('ignored');
      }
      return JobExecutionResult.success('fast');
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {}, { timeoutMs: 50, backoff: { type: 'fixed', delayMs: 0 } });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: 'TIMEOUT' });
    expect(await m.get(id)).toMatchObject({ status: 'completed', result: 'fast', attempt: 2 });
  });

  it('runs higher priority first', async () => {
    const h = await open();
    const order: string[] = [];
    const Callback = defineCallback(uniqueName('prio'), (m: { label: string }) => {
      order.push(m.label);
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    await m.enqueue(Callback, { label: 'low' }, { priority: -5 });
    await m.enqueue(Callback, { label: 'normal' });
    await m.enqueue(Callback, { label: 'urgent' }, { priority: 10 });
    await dispatcher({ callbacks: [Callback], concurrency: 1, prefetch: 0 }, h).drain();
    expect(order).toEqual(['urgent', 'normal', 'low']);
  });

  it('never runs more jobs at once than its concurrency', async () => {
    const h = await open();
    let active = 0;
    let peak = 0;
    const Callback = defineCallback(uniqueName('conc'), async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      active--;
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    await m.enqueueMany(Array.from({ length: 30 }, () => ({ callback: Callback, metadata: {} })));
    await dispatcher({ callbacks: [Callback], concurrency: 3, prefetch: 2 }, h).drain();
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect((await m.list({ statuses: ['completed'], names: [Callback.jobName!] })).items).toHaveLength(30);
  });

  it('stores progress reported by the callback', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('progress'), async (_m, ctx) => {
      ctx.progress({ pct: 40 });
      await eventually(
        async () => {
          const job = await h.store.get(ctx.jobId);
          return (job?.progress as { pct?: number } | null)?.pct === 40;
        },
        10_000,
        'progress to be stored',
      );
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {});
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.start();
    await m.waitFor(id);
    await d.stop();
    expect((await m.get(id))!.progress).toEqual({ pct: 40 });
  });

  it('rejects bad input naming the field, and writes nothing', async () => {
    const h = await open();
    const name = uniqueName('bad');
    const Callback = defineCallback(name);
    const m = manager(h, [Callback]);
    await expect(m.enqueue(Callback, { when: new Date() } as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'metadata',
    });
    await expect(m.enqueue('no-such-callback', {})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'name',
    });
    await expect(m.enqueue('../escape', {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(m.enqueue(Callback, {}, { priority: 1.5 })).rejects.toMatchObject({
      field: 'options.priority',
    });
    await expect(
      m.enqueueMany([
        { callback: Callback, metadata: {} },
        { callback: Callback, metadata: { f: (() => 1) as never } },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await h.store.query({ names: [name] })).items).toHaveLength(0);
  });
}
