import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { JobPatch } from '../../model/job.js';
import type { IDocumentDataProvider } from '../../store/document-provider.js';
import type { KitContext, KitHarness } from '../kit-context.js';
import { defineCallback, eventually, newJob, uniqueName, untilAborted } from '../kit-context.js';
import { delegatingStore } from '../required-methods-only.js';

/**
 * A crash or a cut-off costs only the jobs that were running: prefetched
 * jobs wait reserved and uncounted, a dead worker's reserved jobs come back
 * unspent, and a self-fencing worker hands its reserved jobs back at once.
 */
export function crashArea({ test, it, needs, open, dispatcher }: KitContext): void {
  const { expect } = test;

  needs('time-travel')(
    'a worker that dies holding prefetched jobs costs only the job it was running',
    async () => {
      const h = await open();
      const name = uniqueName('died');
      const jobs = Array.from({ length: 5 }, (_, i) => newJob(name, { priority: 5 - i }));
      for (const j of jobs) await h.store.insert(j);
      await h.jobs.claim({ names: [name], limit: 5, start: 1, workerId: 'dead', leaseMs: 5_000 });
      await h.advanceTime!(6_000);
      const seen = new Map<string, { attempt: number; recovering: boolean }>();
      const Callback = defineCallback(name, (_m, ctx) => {
        seen.set(ctx.jobId, { attempt: ctx.attempt, recovering: ctx.recovering });
        return JobExecutionResult.success();
      });
      const d = dispatcher({ callbacks: [Callback] }, h);
      await d.start();
      await eventually(() => seen.size === 5, 15_000, 'every job to run');
      await d.stop();
      const [ran, ...waited] = jobs;
      expect(seen.get(ran!.id)).toEqual({ attempt: 2, recovering: true });
      for (const j of waited) expect(seen.get(j.id)).toEqual({ attempt: 1, recovering: false });
    },
  );

  it('keeps prefetched jobs reserved and uncounted until a slot frees, then counts each once', async () => {
    const h = await open();
    const name = uniqueName('prefetch');
    let open_ = false;
    const Callback = defineCallback(name, async (_m, ctx) => {
      await eventually(() => open_ || ctx.signal.aborted, 15_000, 'the gate');
      return JobExecutionResult.success(ctx.attempt);
    });
    for (let i = 0; i < 5; i++) await h.store.insert(newJob(name));
    const d = dispatcher({ callbacks: [Callback], concurrency: 1, prefetch: 4, maxPrefetch: 4 }, h);
    await d.start();
    const held = await eventually(async () => {
      const page = await h.store.query({ names: [name], statuses: ['running'] });
      return page.items.length === 5 ? page.items : undefined;
    });
    const started = held!.filter((j) => !j.reserved);
    expect(started).toHaveLength(1);
    expect(started[0]!.attempt).toBe(1);
    for (const j of held!.filter((j) => j.reserved)) expect(j.attempt).toBe(0);
    open_ = true;
    await d.drain();
    await d.stop();
    const done = await h.store.query({ names: [name] });
    expect(done.items.map((j) => [j.status, j.attempt, j.result])).toEqual(
      Array.from({ length: 5 }, () => ['completed', 1, 1]),
    );
  });

  it('stop hands prefetched jobs back at once, uncounted', async () => {
    const h = await open();
    const name = uniqueName('stop-prefetch');
    let running = 0;
    const Callback = defineCallback(name, async (_m, ctx) => {
      running++;
      await untilAborted(ctx.signal);
      return JobExecutionResult.success();
    });
    for (let i = 0; i < 4; i++) await h.store.insert(newJob(name));
    const d = dispatcher({ callbacks: [Callback], concurrency: 1, prefetch: 3, maxPrefetch: 3 }, h);
    await d.start();
    await eventually(() => running === 1, 15_000, 'one job to start');
    await d.stop({ graceMs: 0 });
    const after = await h.store.query({ names: [name] });
    expect(after.items.map((j) => [j.status, j.attempt, j.reserved])).toEqual(
      Array.from({ length: 4 }, () => ['scheduled', 0, false]),
    );
  });

  it('never starts a job whose claim came back after its lease may have lapsed', async () => {
    const h = await open();
    const name = uniqueName('late-claim');
    const events: string[] = [];
    const Callback = defineCallback(name, () => {
      events.push('handler');
      return JobExecutionResult.success();
    });
    const job = newJob(name);
    await h.store.insert(job);
    // Heartbeats every 1 s: a lease must hold 1.5 s past a start. The first claim comes back
    // 2 s late, so its lease may lapse before a heartbeat; the store's lapses only at 3 s, so
    // the hand-back lands before the reaper could recover the job.
    const leaseMs = 3_000;
    let delayed = false;
    const late = <T>(answer: T): Promise<T> => {
      if (delayed) return Promise.resolve(answer);
      delayed = true;
      return new Promise((resolve) => setTimeout(() => resolve(answer), 2_000));
    };
    const inner = h.store;
    const store = delegatingStore(inner, {
      update: async (id, version, patch) => {
        const after = await inner.update(id, version, patch);
        return patch.status === 'running' && after ? late(after) : after;
      },
      close: async () => {},
    });
    if (inner.claim) {
      const claim = inner.claim.bind(inner);
      store.claim = async (request) => {
        const jobs = await claim(request);
        return jobs.length > 0 ? late(jobs) : jobs;
      };
    }
    const d = dispatcher({ callbacks: [Callback], store, leaseMs, concurrency: 1 }, h);
    d.on('released', () => events.push('released'));
    d.on('started', () => events.push('started'));
    await d.start();
    await eventually(() => events.includes('handler'), 15_000, 'the job to run after it was handed back');
    await d.drain();
    await d.stop();
    expect(events).toEqual(['released', 'started', 'handler']);
    // Handed back uncounted: the one run is attempt 1.
    expect(await h.store.get(job.id)).toMatchObject({ status: 'completed', attempt: 1 });
  });

  it('a worker cut off from its heartbeats hands its reserved jobs back and abandons only the running one', async () => {
    const h = await open();
    const name = uniqueName('fenced');
    let running = 0;
    const Callback = defineCallback(name, async (_m, ctx) => {
      running++;
      await untilAborted(ctx.signal);
      return JobExecutionResult.success('too late');
    });
    for (let i = 0; i < 4; i++) await h.store.insert(newJob(name));
    const cut = severable(h);
    const d = dispatcher(
      {
        callbacks: [Callback],
        store: cut.store,
        concurrency: 1,
        prefetch: 3,
        maxPrefetch: 3,
        // Long enough that a loaded machine's slow heartbeat does not self-fence before the cut.
        leaseMs: 4_000,
      },
      h,
    );
    const lost: string[] = [];
    const released: string[] = [];
    d.on('leaseLost', ({ job }) => lost.push(job.id));
    d.on('released', ({ job }) => released.push(job.id));
    await d.start();
    await eventually(() => running === 1, 15_000, 'one job to start');
    expect([lost.length, released.length]).toEqual([0, 0]); // nothing fenced before the cut
    cut.sever();
    // A loaded machine (a full CI run) can take well past the 4 s lease to fence: wait long, and say what was seen.
    await eventually(() => released.length === 3 && lost.length === 1, 30_000, 'self-fencing').catch(
      (error: Error) => {
        throw new Error(
          `${error.message}: ${released.length} of 3 reserved released, ${lost.length} of 1 lost`,
        );
      },
    );
    const after = await h.store.query({ names: [name] });
    const back = after.items.filter((j) => j.status === 'scheduled');
    expect(back.map((j) => [j.attempt, j.reserved, j.workerId])).toEqual(
      Array.from({ length: 3 }, () => [0, false, null]),
    );
    const abandoned = after.items.filter((j) => j.status === 'running');
    expect(abandoned.map((j) => [j.id, j.attempt, j.result])).toEqual([[lost[0], 1, null]]);
    await d.stop({ graceMs: 0 });
  }, 60_000);
}

/**
 * The harness's store with a switch that cuts heartbeats (they hang) and
 * stops new claims, as a worker cut off from the store between claims
 * sees it; settles still reach the store.
 */
function severable(h: KitHarness): { store: IDocumentDataProvider; sever(): void } {
  const inner = h.store;
  let severed = false;
  const hang = () => new Promise<never>(() => {});
  const heartbeatOnly = (patch: JobPatch) =>
    Object.keys(patch).every((k) => k === 'leaseExpiresAt' || k === 'progress');
  const store = delegatingStore(inner, {
    update: (id, version, patch) =>
      severed && heartbeatOnly(patch) ? hang() : inner.update(id, version, patch),
    query: (query) =>
      severed && query.statuses?.includes('scheduled')
        ? Promise.resolve({ items: [], cursor: null })
        : inner.query(query),
    close: async () => {},
  });
  if (inner.claim) {
    const claim = inner.claim.bind(inner);
    store.claim = (request) => (severed ? Promise.resolve([]) : claim(request));
  }
  if (inner.extendLeases) {
    const extend = inner.extendLeases.bind(inner);
    store.extendLeases = (extensions) => (severed ? hang() : extend(extensions));
  }
  delete store.watch;
  return {
    store,
    sever() {
      severed = true;
    },
  };
}
