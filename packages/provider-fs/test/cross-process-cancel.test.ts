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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `found()` holds (polled every 50 ms); fails with the workers' stderr after 20 s. */
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

describe('cancel from another process on one fs store', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("aborts the running job's signal in the worker process and ends it cancelled", async () => {
    const rig = await openWorkerRig('cancel-worker.ts', cleanups);
    const manager = new JobManager({ store: rig.store, queue: rig.queue });
    const { id } = await manager.enqueue(Polite, {});
    await until(rig, 'start', () => rig.lines().some((l) => l.startsWith(`start ${id} `)));

    expect(await manager.cancel(id)).toBe('requested');
    await until(rig, 'abort', () => rig.lines().some((l) => l.startsWith(`aborted ${id}`)));
    expect(rig.lines()).toContain(`aborted ${id} cancelled`);
    await until(rig, 'settle', async () => (await rig.store.get(id))?.status === 'cancelled');
    await sleep(300); // the handler's own (late) success would land here
    expect((await rig.store.get(id))?.status).toBe('cancelled');
  });

  it('settles a handler that ignores its signal as cancelled after the grace, frees its slot, and rejects its late success', async () => {
    const rig = await openWorkerRig('cancel-worker.ts', cleanups);
    const manager = new JobManager({ store: rig.store, queue: rig.queue });
    const { id } = await manager.enqueue(Stubborn, {});
    await until(rig, 'start', () => rig.lines().some((l) => l.startsWith(`start ${id} `)));
    const pid = (rig.lines().find((l) => l.startsWith(`start ${id} `)) as string).split(' ')[2];

    expect(await manager.cancel(id)).toBe('requested');
    // 30 jobs of 100 ms: far more than the other worker (concurrency 1) runs before the grace ends.
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
    // Its slot came free at the grace (300 ms), not when the handler returned (2 s after its abort) ...
    expect(rig.lines()).not.toContain(`late ${id}`);
    expect((await rig.store.get(id))?.status).toBe('cancelled');
    // ... and the success it reports late does not overwrite the cancel.
    await until(rig, 'late return', () => rig.lines().includes(`late ${id}`));
    await sleep(300);
    expect((await rig.store.get(id))?.status).toBe('cancelled');
  });

  it('never runs a scheduled job cancelled before it is due', async () => {
    const rig = await openWorkerRig('cancel-worker.ts', cleanups);
    const manager = new JobManager({ store: rig.store, queue: rig.queue });
    const { id } = await manager.enqueue(Quick, {}, { delayMs: 1_500 });
    expect(await manager.cancel(id)).toBe('cancelled');
    const marker = (await manager.enqueue(Quick, {}, { delayMs: 2_000 })).id;
    await until(rig, 'the later job', () => rig.lines().some((l) => l.startsWith(`start ${marker} `)));
    expect(rig.lines().some((l) => l.startsWith(`start ${id} `))).toBe(false);
    expect((await rig.store.get(id))?.status).toBe('cancelled');
  });
});
