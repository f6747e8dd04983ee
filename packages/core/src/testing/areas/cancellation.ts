import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, uniqueName, untilAborted } from '../kit-context.js';

/** Cancellation: scheduled jobs at once; running jobs through their signal, never overwritten by a late success. */
export function cancellationArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('cancels a scheduled job at once; it never runs', async () => {
    const h = await open();
    const name = uniqueName('cancel');
    let runs = 0;
    const Callback = defineCallback(name, () => {
      runs++;
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {});
    expect(await m.cancel(id)).toBe('cancelled');
    expect((await m.get(id))!.status).toBe('cancelled');
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect(runs).toBe(0);
    expect(await m.cancel(id)).toBe('already-finished');
    await expect(m.waitFor(id)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });

  it('aborts a running job and settles it cancelled, even if the callback then succeeds', async () => {
    const h = await open();
    const name = uniqueName('running');
    let started!: () => void;
    const isRunning = new Promise<void>((resolve) => {
      started = resolve;
    });
    let abortReason: unknown;
    const Callback = defineCallback(name, async (_m, ctx) => {
      started();
      await untilAborted(ctx.signal);
      abortReason = ctx.signal.reason;
      return JobExecutionResult.success('late success');
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback], leaseMs: 3_000, heartbeatMs: 100 }, h);
    const cancelled: string[] = [];
    d.on('cancelled', ({ job }) => cancelled.push(job.id));
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await isRunning;
    expect(await m.cancel(id)).toBe('requested');
    await eventually(async () => (await m.get(id))!.status === 'cancelled', 15_000, 'job to be cancelled');
    await d.stop();
    expect(abortReason).toMatchObject({ abortCause: 'cancelled' });
    expect(cancelled).toEqual([id]);
    expect((await m.get(id))!.result).toBeNull();
  });
}
