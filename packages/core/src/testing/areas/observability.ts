import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { InvalidInputError } from '../../errors.js';
import type { JobDocument } from '../../model/job.js';
import type { JobCount } from '../../store/document-provider.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, newJob, uniqueName } from '../kit-context.js';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

/** What instrumentation relies on: the trace context a job carries, job counts, enqueue and attempt wrappers. */
export function observabilityArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('stores the trace context with the job and returns it from get, query and claim', async () => {
    const h = await open();
    const name = uniqueName('trace');
    const traced = newJob(name, { trace: { traceparent: PARENT, tracestate: 'vendor=abc,other=1' } });
    const parentOnly = newJob(name, { trace: { traceparent: OTHER } });
    const plain = newJob(name);
    await h.jobs.insert(traced);
    await h.jobs.insertMany([parentOnly, plain]);
    expect((await h.jobs.get(traced.id))?.trace).toEqual({
      traceparent: PARENT,
      tracestate: 'vendor=abc,other=1',
    });
    expect((await h.jobs.get(parentOnly.id))?.trace).toEqual({ traceparent: OTHER });
    expect((await h.jobs.get(plain.id))?.trace).toBeNull();
    const claimed = await h.jobs.claim({ names: [name], limit: 10, workerId: 'w', leaseMs: 30_000 });
    const byId = new Map(claimed.map((j) => [j.id, j]));
    expect(byId.get(traced.id)?.trace?.traceparent).toBe(PARENT);
    expect(byId.get(plain.id)?.trace).toBeNull();
    const page = await h.store.query({ names: [name] });
    expect(page.items.find((j) => j.id === parentOnly.id)?.trace).toEqual({ traceparent: OTHER });
  });

  it('keeps the trace context through every write of the job’s life', async () => {
    const h = await open();
    const name = uniqueName('trace-life');
    let seen: JobDocument['trace'] | undefined;
    const Callback = defineCallback(name, (_m, ctx) => {
      if (ctx.attempt === 1) throw new Error('once more');
      return JobExecutionResult.success('ok');
    });
    const m = manager(h, [Callback]);
    const { id } = await m.enqueue(
      Callback,
      {},
      { trace: { traceparent: PARENT }, backoff: { type: 'fixed', delayMs: 0 } },
    );
    const d = dispatcher({ callbacks: [Callback] }, h);
    d.on('started', ({ job }) => {
      seen = job.trace;
    });
    await d.drain();
    await d.stop();
    expect(seen).toEqual({ traceparent: PARENT });
    expect(await m.get(id)).toMatchObject({
      status: 'completed',
      attempt: 2,
      trace: { traceparent: PARENT },
    });
  });

  it('refuses a malformed trace context at enqueue, writing nothing', async () => {
    const h = await open();
    const name = uniqueName('trace-bad');
    const m = manager(h);
    const bad: unknown[] = [
      { traceparent: 'not-a-traceparent' },
      { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
      { traceparent: PARENT.toUpperCase() },
      { traceparent: PARENT, tracestate: 'x'.repeat(513) },
      { traceparent: PARENT, tracestate: 'bad\nline' },
      'traceparent',
    ];
    for (const trace of bad) {
      const error = await m.enqueue(name, {}, { trace: trace as never }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error instanceof InvalidInputError && error.field.startsWith('options.trace')).toBe(true);
    }
    expect((await m.list({ names: [name] })).items).toHaveLength(0);
  });

  it('counts jobs by callback name and status', async () => {
    const h = await open();
    const a = uniqueName('count-a');
    const b = uniqueName('count-b');
    await h.jobs.insertMany([newJob(a), newJob(a), newJob(a), newJob(b), newJob(b, { delayMs: 3_600_000 })]);
    const [claimed] = await h.jobs.claim({ names: [a], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await h.jobs.settle([
      { id: claimed!.id, leaseToken: claimed!.leaseToken, outcome: 'completed', result: null },
    ]);
    await h.jobs.claim({ names: [b], limit: 1, workerId: 'w', leaseMs: 30_000 });
    const mine = (counts: JobCount[]) =>
      counts
        .filter((c) => c.name === a || c.name === b)
        .map((c) => `${c.name === a ? 'a' : 'b'}:${c.status}=${c.count}`)
        .sort();
    const expected = ['a:completed=1', 'a:scheduled=2', 'b:running=1', 'b:scheduled=1'];
    expect(mine(await h.jobs.countJobs())).toEqual(expected);
    expect(mine(await manager(h).countJobs())).toEqual(expected);
  });

  it('runs enqueue wrappers around the insert, with the jobs, and removes them', async () => {
    const h = await open();
    const name = uniqueName('wrap-enqueue');
    const m = manager(h);
    const calls: string[] = [];
    const remove = m.wrapEnqueue(async (jobs, insert) => {
      calls.push(`before ${jobs.length}`);
      for (const job of jobs) job.trace ??= { traceparent: OTHER };
      const results = await insert();
      calls.push(`after ${results.filter((r) => r.created).length}`);
      return results;
    });
    const key = uniqueName('key');
    const first = await m.enqueue(name, {}, { key });
    const again = await m.enqueue(name, {}, { key });
    const many = await m.enqueueMany([
      { callback: name, metadata: {} },
      { callback: name, metadata: {}, options: { trace: { traceparent: PARENT } } },
    ]);
    remove();
    const after = await m.enqueue(name, {});
    expect(calls).toEqual(['before 1', 'after 1', 'before 1', 'after 0', 'before 2', 'after 2']);
    expect(again).toMatchObject({ id: first.id, created: false });
    expect((await m.get(first.id))?.trace).toEqual({ traceparent: OTHER });
    expect((await m.get(many[1]!.id))?.trace).toEqual({ traceparent: PARENT });
    expect((await m.get(after.id))?.trace).toBeNull();
  });

  it('starts each attempt inside the attempt wrappers, and still starts it when a wrapper throws', async () => {
    const h = await open();
    const name = uniqueName('wrap-attempt');
    const order: string[] = [];
    let inside = false;
    const Callback = defineCallback(name, (m: { i: number }) => {
      order.push(`run ${m.i} inside=${inside}`);
      return JobExecutionResult.success(m.i);
    });
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback], concurrency: 1 }, h);
    const errors: string[] = [];
    d.on('error', ({ during }) => errors.push(during));
    const remove = d.wrapAttempts((job, run) => {
      order.push(`wrap ${job.attempt}`);
      inside = true;
      try {
        run();
      } finally {
        inside = false;
      }
    });
    d.wrapAttempts(() => {
      throw new Error('broken instrumentation');
    });
    const { id } = await m.enqueue(Callback, { i: 1 });
    await d.start();
    expect(await m.waitFor(id)).toBe(1);
    remove();
    const second = await m.enqueue(Callback, { i: 2 });
    expect(await m.waitFor(second.id)).toBe(2);
    await d.stop();
    expect(order).toEqual(['wrap 1', 'run 1 inside=true', 'run 2 inside=false']);
    expect(errors).toEqual(['attempt wrapper', 'attempt wrapper']);
  });
}
