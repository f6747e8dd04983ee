import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, newJob, uniqueName } from '../kit-context.js';

/** What an operator does from a dashboard or a CLI: retry, delete, run a schedule now. */
export function operatorActionsArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('retries a failed job from attempt 0 and it runs again', async () => {
    const h = await open();
    const name = uniqueName('retry');
    let runs = 0;
    const Callback = defineCallback(name, () => {
      runs++;
      return runs === 1 ? JobExecutionResult.fail('first run fails') : JobExecutionResult.success('second');
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {}, { maxAttempts: 1 });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect((await m.get(id))!.status).toBe('failed');
    expect(await m.retry(id)).toBe(true);
    expect(await m.get(id)).toMatchObject({ status: 'scheduled', attempt: 0, finishedAt: null });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect(await m.get(id)).toMatchObject({ status: 'completed', attempt: 1, result: 'second' });
    expect(await m.retry(id)).toBe(false);
  });

  it('deletes scheduled and finished jobs, freeing their keys; refuses a running or unknown one, changing nothing', async () => {
    const h = await open();
    const name = uniqueName('delete');
    const m = manager(h);
    const { id: waiting } = await m.enqueue(name, {}, { key: `${name}-k` });
    await m.delete(waiting);
    expect(await m.get(waiting)).toBeNull();
    expect((await m.enqueue(name, {}, { key: `${name}-k` })).created).toBe(true);

    const running = newJob(name, { key: null });
    await h.store.insert(running);
    const [claimed] = await h.jobs.claim({ names: [name], limit: 1, workerId: 'w1', leaseMs: 30_000 });
    expect(claimed).toBeDefined();
    await expect(m.delete(claimed!.id)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'id' });
    expect(await m.get(claimed!.id)).toMatchObject({ status: 'running', version: claimed!.version });

    await m.cancel(claimed!.id);
    const settled = await h.jobs.settle([
      { id: claimed!.id, leaseToken: claimed!.leaseToken, outcome: 'cancelled', error: null },
    ]);
    expect(settled[0]!.ok).toBe(true);
    await m.delete(claimed!.id);
    expect(await m.get(claimed!.id)).toBeNull();
    await expect(m.delete(claimed!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs a schedule now without moving its next fire time', async () => {
    const h = await open();
    const name = uniqueName('run-now');
    const ran: string[] = [];
    const Callback = defineCallback<{ report: string }>(name, (metadata) => {
      ran.push(metadata.report);
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    const before = await m.schedule(`${name}-yearly`, Callback, {
      cron: '0 0 1 1 *',
      metadata: { report: 'yearly' },
    });
    const { id, created } = await m.runScheduleNow(before.id);
    expect(created).toBe(true);
    const job = await m.get(id);
    expect(job).toMatchObject({ name, scheduleId: before.id, status: 'scheduled' });
    expect(job!.runAt).toBeLessThanOrEqual(await h.store.now());
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect(ran).toEqual(['yearly']);
    expect((await m.getSchedule(before.id))!.nextRunAt).toBe(before.nextRunAt);
    await expect(m.runScheduleNow(`${name}-missing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
}
