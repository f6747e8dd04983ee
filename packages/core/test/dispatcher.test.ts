import { afterEach, describe, expect, it } from 'vitest';
import {
  BaseJobCallback,
  type IDocumentDataProvider,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
} from '../src/index.js';
import { defineCallback, eventually, requiredMethodsOnly, uniqueName } from '../src/testing/index.js';

const running: JobDispatcher[] = [];
function track(d: JobDispatcher): JobDispatcher {
  running.push(d);
  return d;
}
afterEach(async () => {
  const leaked = running.filter((d) => d.state === 'running');
  await Promise.all(running.splice(0).map((d) => d.stop({ graceMs: 0 })));
  expect(leaked).toHaveLength(0);
});

/** A memory store whose heartbeats and settles can be cut off, like a worker losing the network. */
function severable(store: MemoryDocumentProvider) {
  let cut = false;
  const fail = () => Promise.reject(new Error('store unreachable'));
  const wrapped: IDocumentDataProvider = {
    ...requiredMethodsOnly(store),
    providerName: 'severable',
    claim: (r) => store.claim(r),
    settle: (s) => (cut ? fail() : store.settle(s)),
    extendLeases: (e) => (cut ? fail() : store.extendLeases(e)),
  };
  return { store: wrapped, cut: () => (cut = true) };
}

describe('JobDispatcher', () => {
  it('self-fences: aborts a job whose heartbeats cannot reach the store before its lease may lapse', async () => {
    const memory = new MemoryDocumentProvider();
    const { store, cut } = severable(memory);
    let reason: unknown;
    let abortedAt = 0;
    const Callback = defineCallback(uniqueName('fence'), async (_m, ctx) => {
      cut();
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      abortedAt = Date.now();
      reason = ctx.signal.reason;
      return JobExecutionResult.success('side effect after fence');
    });
    const d = track(new JobDispatcher({ store, callbacks: [Callback], leaseMs: 3_000, heartbeatMs: 1_000 }));
    const lost: string[] = [];
    d.on('leaseLost', ({ reason: why }) => lost.push(why));
    d.on('error', () => {});
    await d.start();
    const { id } = await new JobManager({ store }).enqueue(Callback, {});
    await eventually(() => reason !== undefined, 10_000, 'self-fence');
    const job = await memory.get(id);
    // The lease is still held in the store: the worker stopped before it could lapse.
    expect(job!.status).toBe('running');
    expect(job!.result).toBeNull();
    expect(abortedAt).toBeLessThan(job!.leaseExpiresAt!);
    expect(reason).toMatchObject({ abortCause: 'lease-lost' });
    expect(lost[0]).toMatch(/self-fenced/);
    await d.stop();
  });

  it('builds callbacks through the factory, so services can be injected', async () => {
    const store = new MemoryDocumentProvider();
    class Mailer {
      sent: string[] = [];
    }
    const mailer = new Mailer();
    class Send extends BaseJobCallback<{ to: string }> {
      static jobName = uniqueName('di');
      constructor(private readonly deps: Mailer) {
        super();
      }
      execute() {
        this.deps.sent.push(this.metadata.to);
        return JobExecutionResult.success();
      }
    }
    const d = track(
      new JobDispatcher({ store, callbacks: [Send], callbackFactory: (C) => new (C as typeof Send)(mailer) }),
    );
    await new JobManager({ store }).enqueue(Send, { to: 'ada' });
    await d.drain();
    expect(mailer.sent).toEqual(['ada']);
  });

  it('emits one event per transition, in order', async () => {
    const store = new MemoryDocumentProvider();
    const Callback = defineCallback(uniqueName('events'), (_m, ctx) =>
      ctx.attempt === 1
        ? JobExecutionResult.retry({ delayMs: 0, reason: 'again' })
        : JobExecutionResult.success(1),
    );
    const d = track(new JobDispatcher({ store, callbacks: [Callback] }));
    const seen: string[] = [];
    for (const event of ['started', 'retrying', 'completed', 'failed'] as const) {
      d.on(event, ({ job }) => seen.push(`${event}:${job.attempt}`));
    }
    await new JobManager({ store }).enqueue(Callback, {});
    await d.drain();
    expect(seen).toEqual(['started:1', 'retrying:1', 'started:2', 'completed:2']);
  });

  it('runs until its signal aborts, and stops on an outside signal', async () => {
    const store = new MemoryDocumentProvider();
    const Callback = defineCallback(uniqueName('run'), () => JobExecutionResult.success('ok'));
    const controller = new AbortController();
    const d = track(new JobDispatcher({ store, callbacks: [Callback] }));
    const done = d.run(controller.signal);
    const manager = new JobManager({ store });
    const { id } = await manager.enqueue(Callback, {});
    expect(await manager.waitFor(id)).toBe('ok');
    controller.abort();
    await done;
    expect(d.state).toBe('stopped');
    await expect(d.start()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('rejects bad options naming the field', () => {
    const store = new MemoryDocumentProvider();
    const Callback = defineCallback(uniqueName('opts'));
    expect(() => new JobDispatcher({ store, callbacks: [Callback], concurrency: 0 })).toThrow(/concurrency/);
    expect(
      () => new JobDispatcher({ store, callbacks: [Callback], leaseMs: 1_000, heartbeatMs: 900 }),
    ).toThrow(/heartbeatMs/);
    expect(() => new JobDispatcher({ store, callbacks: [] })).toThrow(/callbacks/);
    expect(() => new JobDispatcher({ store, callbacks: [Callback], prefetch: 50, maxPrefetch: 10 })).toThrow(
      /maxPrefetch: must be at least prefetch \(50\)/,
    );
    expect(() => new JobDispatcher({ callbacks: [Callback] } as never)).toThrow(/store/);
  });

  it('keeps running when a listener throws', async () => {
    const store = new MemoryDocumentProvider();
    const Callback = defineCallback(uniqueName('listener'), () => JobExecutionResult.success());
    const d = track(new JobDispatcher({ store, callbacks: [Callback] }));
    d.on('completed', () => {
      throw new Error('listener bug');
    });
    const { id } = await new JobManager({ store }).enqueue(Callback, {});
    await d.drain();
    expect((await store.get(id))!.status).toBe('completed');
  });
});
