import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, uniqueName, untilAborted } from '../kit-context.js';

/** Graceful stop: grace for running jobs, then abort and release without counting the attempt. */
export function shutdownArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('lets a running job finish within the grace period', async () => {
    const h = await open();
    const name = uniqueName('grace');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = false;
    const Callback = defineCallback(name, async () => {
      running = true;
      await gate;
      return JobExecutionResult.success('finished');
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await eventually(() => running, 15_000, 'job to start');
    const stopped = d.stop({ graceMs: 30_000 });
    expect(d.stop()).toBe(stopped);
    release();
    await stopped;
    expect(await m.get(id)).toMatchObject({ status: 'completed', result: 'finished' });
  });

  it('aborts a job that outlives the grace period and releases it without counting the attempt', async () => {
    const h = await open();
    const name = uniqueName('stuck');
    let started = false;
    let reason: unknown;
    const Callback = defineCallback(name, async (_m, ctx) => {
      started = true;
      await untilAborted(ctx.signal);
      reason = ctx.signal.reason;
      return JobExecutionResult.success('too late');
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback] }, h);
    const released: string[] = [];
    d.on('released', ({ job }) => released.push(job.id));
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await eventually(() => started, 15_000, 'job to start');
    await d.stop({ graceMs: 50 });
    await eventually(() => reason !== undefined, 5_000, 'signal to abort');
    expect(reason).toMatchObject({ abortCause: 'shutdown' });
    expect(released).toEqual([id]);
    expect(await m.get(id)).toMatchObject({ status: 'scheduled', attempt: 0, workerId: null, result: null });
  });

  it('releases prefetched jobs that never started', async () => {
    const h = await open();
    const name = uniqueName('prefetch');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let starts = 0;
    const Callback = defineCallback(name, async () => {
      starts++;
      await gate;
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    const ids = (
      await m.enqueueMany(Array.from({ length: 5 }, () => ({ callback: Callback, metadata: {} })))
    ).map((r) => r.id);
    const d = dispatcher({ callbacks: [Callback], concurrency: 1, prefetch: 4 }, h);
    await d.start();
    await eventually(() => starts === 1, 15_000, 'first job to start');
    const stopping = d.stop({ graceMs: 30_000 });
    release();
    await stopping;
    const docs = await Promise.all(ids.map((id) => m.get(id)));
    expect(docs.filter((j) => j!.status === 'completed')).toHaveLength(1);
    const rest = docs.filter((j) => j!.status !== 'completed');
    expect(rest).toHaveLength(4);
    for (const j of rest) expect(j).toMatchObject({ status: 'scheduled', attempt: 0 });
    expect(starts).toBe(1);
  });
}
