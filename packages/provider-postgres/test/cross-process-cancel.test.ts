import { JobManager } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { databaseUrl, testProvider } from './helpers/database.js';
import { WorkerFleet, type WorkerProcess } from './helpers/worker-processes.js';

let fleet = new WorkerFleet();
const providers: PostgresProvider[] = [];
afterEach(async () => {
  await fleet.killAll();
  fleet = new WorkerFleet();
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

/** This process (the producer) and one worker process (concurrency 1, lease 900 ms: a heartbeat every 300 ms). */
async function setup(): Promise<{ provider: PostgresProvider; manager: JobManager; worker: WorkerProcess }> {
  const provider = await testProvider();
  providers.push(provider);
  const worker = await fleet.start({
    url: databaseUrl(),
    schema: provider.schema,
    worker: 'w1',
    concurrency: 1,
    leaseMs: 900,
  });
  return { provider, manager: new JobManager({ store: provider, queue: provider }), worker };
}

const sawEvent = (worker: WorkerProcess, event: string, id: string) =>
  worker.events.some((e) => e.event === event && e.id === id);

async function statusOf(provider: PostgresProvider, id: string): Promise<string | undefined> {
  return (await provider.get(id))?.status;
}

describe('cancel from another process on one PostgreSQL store', () => {
  it("aborts the running job's signal in the worker process and ends it cancelled", async () => {
    const { provider, manager, worker } = await setup();
    const { id } = await manager.enqueue('cancel-polite', {});
    await eventually(() => sawEvent(worker, 'started', id), 20_000, 'the job to start');

    expect(await manager.cancel(id)).toBe('requested');
    await eventually(() => sawEvent(worker, 'aborted', id), 20_000, 'the signal to abort');
    expect(worker.events.find((e) => e.event === 'aborted')?.reason).toBe('cancelled');
    await eventually(async () => (await statusOf(provider, id)) === 'cancelled', 20_000, 'cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the handler's success would land here
    expect(await statusOf(provider, id)).toBe('cancelled');
  });

  it('settles a handler that ignores its signal as cancelled after the grace, frees its slot, and rejects its late success', async () => {
    const { provider, manager, worker } = await setup();
    const { id } = await manager.enqueue('cancel-stubborn', {});
    await eventually(() => sawEvent(worker, 'started', id), 20_000, 'the job to start');

    expect(await manager.cancel(id)).toBe('requested');
    const quick = (await manager.enqueue('cancel-quick', {})).id;
    // The only slot (concurrency 1) frees at the grace (300 ms), not when the handler returns (2 s after its abort).
    await eventually(() => sawEvent(worker, 'completed', quick), 20_000, 'the next job to run');
    expect(sawEvent(worker, 'late', id)).toBe(false);
    expect(await statusOf(provider, id)).toBe('cancelled');

    await eventually(() => sawEvent(worker, 'late', id), 20_000, 'the late return');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf(provider, id)).toBe('cancelled');
    expect(worker.events.some((e) => e.event === 'completed' && e.id === id)).toBe(false);
  });

  it('never runs a scheduled job cancelled before it is due', async () => {
    const { provider, manager, worker } = await setup();
    const { id } = await manager.enqueue('cancel-quick', {}, { delayMs: 1_500 });
    expect(await manager.cancel(id)).toBe('cancelled');
    const marker = (await manager.enqueue('cancel-quick', {}, { delayMs: 2_000 })).id;
    await eventually(() => sawEvent(worker, 'completed', marker), 20_000, 'the later job');
    expect(sawEvent(worker, 'started', id)).toBe(false);
    expect(await statusOf(provider, id)).toBe('cancelled');
  });
});
