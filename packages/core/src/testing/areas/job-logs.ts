import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { JobLogEntry } from '../../model/job-log.js';
import { LOG_LIMITS } from '../../model/job-log.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

/**
 * `ctx.log`: lines kept on the job in order across attempts, bounded to the
 * newest `LOG_LIMITS.keep`, emitted as events, returned by
 * `manager.get(id, { include: ['logs'] })` and left out otherwise.
 */
export function jobLogsArea({ test, it, manager, dispatcher, open }: KitContext): void {
  const { expect } = test;

  it('keeps the lines of every attempt in order, with level, attempt and fields', async () => {
    const h = await open();
    const name = uniqueName('logs');
    const Callback = defineCallback<{ order: string }>(
      name,
      (metadata, ctx) => {
        ctx.log('info', `charging order ${metadata.order}`, { order: metadata.order });
        if (ctx.attempt === 1) {
          ctx.log('warn', 'gateway timed out');
          return JobExecutionResult.retry({ delayMs: 0, reason: 'gateway timed out' });
        }
        ctx.log('debug', 'charged');
        return JobExecutionResult.success();
      },
      { maxAttempts: 3 },
    );
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, { order: 'A-42' });
    const d = dispatcher({ callbacks: [Callback] }, h);
    const events: JobLogEntry[] = [];
    d.on('log', ({ entry }) => events.push(entry));
    for (let round = 0; round < 3 && (await m.get(id))!.status !== 'completed'; round++) await d.drain();
    const job = (await m.get(id, { include: ['logs'] }))!;
    expect(job.status).toBe('completed');
    expect(job.logs!.map((l) => [l.attempt, l.level, l.message])).toEqual([
      [1, 'info', 'charging order A-42'],
      [1, 'warn', 'gateway timed out'],
      [2, 'info', 'charging order A-42'],
      [2, 'debug', 'charged'],
    ]);
    expect(job.logs![0]!.fields).toEqual({ order: 'A-42' });
    expect(typeof job.logs![0]!.at).toBe('number');
    expect(events.map((e) => e.message)).toEqual(job.logs!.map((l) => l.message));
    expect('logs' in (await m.get(id))!).toBe(false);
  });

  it(`keeps the newest ${LOG_LIMITS.keep} lines and refuses a bad level in the handler`, async () => {
    const h = await open();
    const name = uniqueName('logs-bound');
    let refused: unknown;
    const Callback = defineCallback(name, (_metadata, ctx) => {
      for (let i = 1; i <= LOG_LIMITS.keep + 50; i++) ctx.log('info', `line ${i}`);
      try {
        ctx.log('loud' as never, 'nope');
      } catch (error) {
        refused = error;
      }
      return JobExecutionResult.success();
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(Callback, {});
    await dispatcher({ callbacks: [Callback] }, h).drain();
    const logs = (await m.get(id, { include: ['logs'] }))!.logs!;
    expect(logs).toHaveLength(LOG_LIMITS.keep);
    expect(logs[0]!.message).toBe('line 51');
    expect(logs[LOG_LIMITS.keep - 1]!.message).toBe(`line ${LOG_LIMITS.keep + 50}`);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', field: 'level' });
    await expect(m.get(id, { include: ['everything' as never] })).rejects.toMatchObject({
      field: 'options.include',
    });
  });
}
