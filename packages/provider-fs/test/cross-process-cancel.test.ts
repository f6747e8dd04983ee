import { BaseJobCallback, JobExecutionResult, JobManager } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkerRig, type WorkerRig } from './helpers/worker-rig.js';

/** The producer's view of the workers' callbacks (`fixtures/cancel-worker.ts`): names only, no code. */
function named(jobName: string) {
  return class extends BaseJobCallback<Record<string, never>> {
    static jobName = jobName;
    async execute() {
      return JobExecutionResult.success();
    }
  };
}
const Polite = named('cancel-polite');
const Stubborn = named('cancel-stubborn');
const Quick = named('cancel-quick');

/** Each test's own limit: far above its few seconds, below the run's patience. */
const TEST_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `found()` holds (polled every 50 ms); fails with the ledger and the workers' stderr after 20 s. */
async function until(rig: WorkerRig, what: string, found: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await found())) {
    if (Date.now() > deadline) {
      throw new Error(
        `${what} did not happen; ledger: ${rig.lines().join(' | ')}; stderr: ${rig.workers.map((w) => w.stderr()).join(' | ')}`,
      );
    }
    await sleep(50);
  }
}

const started = (rig: WorkerRig, id: string) => rig.lines().find((l) => l.startsWith(`start ${id} `));

/** Enqueues a polite job, cancels it once its handler runs, and checks the worker's signal and the stored end. */
async function cancelRunningPoliteJob(rig: WorkerRig): Promise<void> {
  const manager = new JobManager({ store: rig.store, queue: rig.queue });
  const { id } = await manager.enqueue(Polite, {});
  await until(rig, 'start', () => started(rig, id) !== undefined);
  expect(rig.lines()).not.toContain(`aborted ${id} cancelled`);

  expect(await manager.cancel(id)).toBe('requested');
  await until(rig, 'abort', () => rig.lines().some((l) => l.startsWith(`aborted ${id} `)));
  expect(rig.lines()).toContain(`aborted ${id} cancelled`);
  await until(rig, 'settle', async () => (await rig.store.get(id))?.status === 'cancelled');
  await sleep(300); // the handler's own success (returned right after its abort) would land here
  expect(await rig.store.get(id)).toMatchObject({ status: 'cancelled', attempt: 1, result: null });
}

describe('cancel from another process on one fs store', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(
    "aborts the running job's signal in the worker process and ends it cancelled",
    async () => {
      await cancelRunningPoliteJob(await openWorkerRig('cancel-worker.ts', cleanups));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reaches a worker that cannot watch the store with its next heartbeat (lease extension)',
    async () => {
      const rig = await openWorkerRig('cancel-worker.ts', cleanups, { args: ['heartbeat-only'] });
      await cancelRunningPoliteJob(rig);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'settles a handler that ignores its signal as cancelled, frees its slot after the grace, and rejects its late success',
    async () => {
      const rig = await openWorkerRig('cancel-worker.ts', cleanups);
      const manager = new JobManager({ store: rig.store, queue: rig.queue });
      const { id } = await manager.enqueue(Stubborn, {});
      await until(rig, 'start', () => started(rig, id) !== undefined);
      const pid = (started(rig, id) as string).split(' ')[2];

      expect(await manager.cancel(id)).toBe('requested');
      // 30 jobs of 100 ms: the other worker (concurrency 1) needs 3 s for them, longer than the stubborn
      // handler holds on after its abort (2 s), so its own worker gets one only if its one slot frees early.
      const quick = await manager.enqueueMany(
        Array.from({ length: 30 }, () => ({ callback: Quick, metadata: {} })),
      );
      const quickIds = new Set(quick.map((r) => r.id));
      const ranOnStubbornWorker = () =>
        rig.lines().some((l) => {
          const [kind, job, by] = l.split(' ');
          return kind === 'start' && quickIds.has(job as string) && by === pid;
        });
      await until(rig, "a job on the stubborn handler's worker", ranOnStubbornWorker);
      expect(rig.lines()).toContain(`aborted ${id} cancelled`);
      // Its slot came free at the grace (300 ms), not when the handler returned (2 s after its abort) ...
      expect(rig.lines()).not.toContain(`late ${id}`);
      expect((await rig.store.get(id))?.status).toBe('cancelled');
      // ... and the success it reports late does not overwrite the cancel.
      await until(rig, 'late return', () => rig.lines().includes(`late ${id}`));
      await sleep(300);
      expect(await rig.store.get(id)).toMatchObject({ status: 'cancelled', attempt: 1, result: null });
      await until(rig, 'the quick jobs', async () => {
        const jobs = await Promise.all(quick.map((r) => rig.store.get(r.id)));
        return jobs.every((j) => j?.status === 'completed');
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'never runs a scheduled job cancelled before it is due',
    async () => {
      const rig = await openWorkerRig('cancel-worker.ts', cleanups);
      const manager = new JobManager({ store: rig.store, queue: rig.queue });
      const { id } = await manager.enqueue(Quick, {}, { delayMs: 1_500 });
      expect((await rig.store.get(id))?.status).toBe('scheduled');
      expect(await manager.cancel(id)).toBe('cancelled');
      // Due after it: once this one has run, the cancelled job would have run too.
      const marker = (await manager.enqueue(Quick, {}, { delayMs: 2_000 })).id;
      await until(rig, 'the later job', () => started(rig, marker) !== undefined);
      await until(
        rig,
        'the later job to complete',
        async () => (await rig.store.get(marker))?.status === 'completed',
      );
      expect(started(rig, id)).toBeUndefined();
      expect(await rig.store.get(id)).toMatchObject({ status: 'cancelled', attempt: 0, startedAt: null });
    },
    TEST_TIMEOUT_MS,
  );
});
