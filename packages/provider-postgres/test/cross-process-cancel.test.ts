import { JobManager } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { databaseUrl } from './helpers/database.js';
import { type WorkerProcess, workerFleetPerTest } from './helpers/worker-processes.js';

/** Each test's own limit: far above its few seconds, below the run's patience. */
const TEST_TIMEOUT_MS = 60_000;

const { fleet, provider: openProvider } = workerFleetPerTest();

interface Rig {
  provider: PostgresProvider;
  manager: JobManager;
  worker: WorkerProcess;
}

/**
 * This process (the producer) and one worker process (`fixtures/worker-process.ts`: concurrency 1,
 * lease 900 ms, so a heartbeat every 300 ms); `watchCancels: false` hides the store's change feed
 * from the worker's dispatcher, so cancel requests reach it only with heartbeats.
 */
async function setup(watchCancels = true): Promise<Rig> {
  const provider = await openProvider();
  // `watchCancels` is the fixture's own setting, passed through WORKER_CONFIG by the fleet.
  const config = {
    url: databaseUrl(),
    schema: provider.schema,
    worker: 'w1',
    concurrency: 1,
    leaseMs: 900,
    watchCancels,
  };
  const worker = await fleet.start(config);
  return { provider, manager: new JobManager({ store: provider, queue: provider }), worker };
}

const sawEvent = (worker: WorkerProcess, event: string, id: string) =>
  worker.events.some((e) => e.event === event && e.id === id);

/** Waits for `check` (up to 20 s); on a time-out the error shows what the worker reported and printed. */
async function until(rig: Rig, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  try {
    await eventually(check, 20_000, what);
  } catch (error) {
    const events = rig.worker.events.map((e) => JSON.stringify(e)).join('\n  ');
    throw new Error(
      `${(error as Error).message}\nworker events:\n  ${events}\nworker output:\n${rig.worker.output.join('')}`,
    );
  }
}

async function statusOf(rig: Rig, id: string): Promise<string | undefined> {
  return (await rig.provider.get(id))?.status;
}

/** Enqueues a polite job, cancels it once its handler runs, and checks the worker's signal and the stored end. */
async function cancelRunningPoliteJob(rig: Rig): Promise<void> {
  const { manager, worker } = rig;
  const { id } = await manager.enqueue('cancel-polite', {});
  await until(rig, 'the handler to start', () => sawEvent(worker, 'ran', id));
  expect(sawEvent(worker, 'aborted', id)).toBe(false);

  expect(await manager.cancel(id)).toBe('requested');
  await until(rig, 'the signal to abort', () => sawEvent(worker, 'aborted', id));
  expect(worker.events.find((e) => e.event === 'aborted' && e.id === id)?.reason).toBe('cancelled');
  await until(rig, 'the job to end cancelled', async () => (await statusOf(rig, id)) === 'cancelled');
  await new Promise((resolve) => setTimeout(resolve, 300)); // the handler's success would land here
  expect(await rig.provider.get(id)).toMatchObject({ status: 'cancelled', attempt: 1, result: null });
  expect(sawEvent(worker, 'completed', id)).toBe(false);
}

describe('cancel from another process on one PostgreSQL store', () => {
  it(
    "aborts the running job's signal in the worker process and ends it cancelled",
    async () => {
      await cancelRunningPoliteJob(await setup());
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reaches a worker that cannot watch the store with its next heartbeat (lease extension)',
    async () => {
      await cancelRunningPoliteJob(await setup(false));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'settles a handler that ignores its signal as cancelled, frees its slot after the grace, and rejects its late success',
    async () => {
      const rig = await setup();
      const { manager, worker } = rig;
      const { id } = await manager.enqueue('cancel-stubborn', {});
      await until(rig, 'the handler to start', () => sawEvent(worker, 'ran', id));

      expect(await manager.cancel(id)).toBe('requested');
      const quick = (await manager.enqueue('cancel-quick', {})).id;
      // The only slot (concurrency 1) frees at the grace (300 ms), not when the handler returns (2 s after its abort).
      await until(rig, 'the next job to run', () => sawEvent(worker, 'completed', quick));
      expect(worker.events.find((e) => e.event === 'aborted' && e.id === id)?.reason).toBe('cancelled');
      expect(sawEvent(worker, 'late', id)).toBe(false);
      expect(await statusOf(rig, id)).toBe('cancelled');
      expect(await statusOf(rig, quick)).toBe('completed');

      await until(rig, 'the late return', () => sawEvent(worker, 'late', id));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await rig.provider.get(id)).toMatchObject({ status: 'cancelled', attempt: 1, result: null });
      expect(sawEvent(worker, 'completed', id)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'never runs a scheduled job cancelled before it is due',
    async () => {
      const rig = await setup();
      const { manager, worker } = rig;
      const { id } = await manager.enqueue('cancel-quick', {}, { delayMs: 1_500 });
      expect(await statusOf(rig, id)).toBe('scheduled');
      expect(await manager.cancel(id)).toBe('cancelled');
      // Due after it: once this one has run, the cancelled job would have run too.
      const marker = (await manager.enqueue('cancel-quick', {}, { delayMs: 2_000 })).id;
      await until(rig, 'the later job', () => sawEvent(worker, 'completed', marker));
      expect(sawEvent(worker, 'ran', marker)).toBe(true);
      expect(sawEvent(worker, 'ran', id)).toBe(false);
      expect(sawEvent(worker, 'started', id)).toBe(false);
      expect(await rig.provider.get(id)).toMatchObject({ status: 'cancelled', attempt: 0, startedAt: null });
    },
    TEST_TIMEOUT_MS,
  );
});
