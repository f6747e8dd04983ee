import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, uniqueName, untilAborted } from '../kit-context.js';

/** A JavaScript module (written for the test) exporting a callback class named `name` with this `execute` body. */
function callbackModule(name: string, executeBody: string): string {
  const file = join(tmpdir(), `${name}.mjs`);
  writeFileSync(
    file,
    `export class Isolated {\n  static jobName = ${JSON.stringify(name)};\n  execute(context) {\n${executeBody}\n  }\n}\n`,
  );
  return pathToFileURL(file).href;
}

/**
 * Hard timeouts: past `timeoutMs` the signal aborts; past the grace the
 * attempt settles as timed out even if the handler ignores its signal, and
 * its late result is fenced off; an isolated callback's worker thread is
 * terminated for real.
 */
export function hardTimeoutChecks({ test, it, manager, dispatcher, open }: KitContext): void {
  const { expect } = test;

  it('settles a handler that ignores its aborted signal as timed out; its late success is rejected', async () => {
    const h = await open();
    const name = uniqueName('stubborn');
    let release!: () => void;
    const late = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sawAbort = false;
    const Callback = defineCallback(name, async (_m, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
      });
      await late; // ignores the signal
      return JobExecutionResult.success('late');
    });
    Object.assign(Callback, { timeoutMs: 100, timeoutGraceMs: 100, maxAttempts: 1 });
    const Next = defineCallback(uniqueName('next'), () => JobExecutionResult.success('next'));
    const m = manager(h, [Callback, Next]);
    const d = dispatcher({ callbacks: [Callback, Next], concurrency: 1 }, h);
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await eventually(async () => (await m.get(id))!.status === 'failed', 15_000, 'the job to time out');
    expect(sawAbort).toBe(true);
    expect((await m.get(id))!.error?.name).toBe('TIMEOUT');
    // Its slot is free although the handler still runs: the one slot runs the next job.
    const next = await m.enqueue(Next, {});
    expect(await m.waitFor(next.id, { signal: AbortSignal.timeout(15_000), maxPollMs: 50 })).toBe('next');
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await d.stop();
    const after = (await m.get(id))!;
    expect(after.status).toBe('failed');
    expect(after.result).toBeNull();
  });

  it("stops a `while (true) {}` handler run with isolation 'worker-thread' at the hard limit", async () => {
    const h = await open();
    const name = uniqueName('spin');
    const Callback = defineCallback(name);
    Object.assign(Callback, {
      isolation: 'worker-thread',
      moduleUrl: callbackModule(name, '    while (true) {}'),
      timeoutMs: 200,
      timeoutGraceMs: 100,
      maxAttempts: 1,
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback], concurrency: 1 }, h);
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await eventually(
      async () => (await m.get(id))!.status === 'failed',
      15_000,
      'the spinning job to time out',
    );
    await d.stop();
    expect((await m.get(id))!.error?.name).toBe('TIMEOUT');
  });

  it('runs an isolated callback with JSON metadata in and its result, progress and logs back', async () => {
    const h = await open();
    const name = uniqueName('isolated');
    const Callback = defineCallback(name);
    Object.assign(Callback, {
      isolation: 'worker-thread',
      moduleUrl: callbackModule(
        name,
        [
          '    context.progress({ half: true });',
          "    context.log('info', 'in a worker', { n: this.metadata.n });",
          "    return { kind: 'success', output: { doubled: this.metadata.n * 2, attempt: context.attempt } };",
        ].join('\n'),
      ),
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback] }, h);
    await d.start();
    const { id } = await m.enqueue(Callback, { n: 21 });
    expect(await m.waitFor(id, { signal: AbortSignal.timeout(15_000), maxPollMs: 50 })).toEqual({
      doubled: 42,
      attempt: 1,
    });
    await d.stop();
  });

  it('frees the slot of a cancelled handler that ignores its signal after the grace', async () => {
    const h = await open();
    const name = uniqueName('cancel-stubborn');
    let started = false;
    const Callback = defineCallback(name, async (_m, ctx) => {
      started = true;
      await untilAborted(ctx.signal);
      await new Promise(() => {}); // never ends
      return JobExecutionResult.success();
    });
    Object.assign(Callback, { timeoutGraceMs: 50 });
    const Next = defineCallback(uniqueName('after-cancel'), () => JobExecutionResult.success('ran'));
    const m = manager(h, [Callback, Next]);
    const d = dispatcher({ callbacks: [Callback, Next], concurrency: 1, heartbeatMs: 50, leaseMs: 3_000 }, h);
    await d.start();
    const { id } = await m.enqueue(Callback, {});
    await eventually(() => started, 15_000, 'the job to start');
    await m.cancel(id);
    await eventually(
      async () => (await m.get(id))!.status === 'cancelled',
      15_000,
      'the job to be cancelled',
    );
    const next = await m.enqueue(Next, {});
    expect(await m.waitFor(next.id, { signal: AbortSignal.timeout(15_000), maxPollMs: 50 })).toBe('ran');
    await d.stop();
  });
}
