/**
 * Proves "cancel from any node" across real OS processes on one fs store:
 * a worker child process runs `cancel-probe` jobs (fixtures/cancel-worker.ts)
 * while another process — a second child, or this test process with its own
 * store handle — calls `JobManager.cancel`. A running handler that waits on
 * `ctx.signal` sees it abort and the job ends `cancelled`; a handler that
 * ignores its signal loses its slot after `timeoutGraceMs` (300 ms), so the
 * next job starts in the same worker; a job still scheduled when cancelled
 * never runs. Everything is polled; no wall-clock durations are asserted.
 */
import { join } from 'node:path';
import {
  BaseJobCallback,
  type JobDocument,
  JobExecutionResult,
  JobManager,
  silentLogger,
} from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '../src/index.js';
import { type Child, killChild, startChild } from './helpers/child.js';
import { tempRoot } from './helpers/temp-root.js';

/** The producer's view of the worker's callback: a name only, no code. */
class CancelProbe extends BaseJobCallback<{ mode: 'obey' | 'ignore' | 'quick' }> {
  static jobName = 'cancel-probe';
  static maxAttempts = 1;
  async execute() {
    return JobExecutionResult.success();
  }
}

const lines = (child: Child) => child.stdout().split('\n');
const printed = (child: Child, line: string) => lines(child).includes(line);

describe('cancel from another process (fs store)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(concurrency: number) {
    const dir = tempRoot();
    const storeRoot = join(dir.path, 'store');
    const queueRoot = join(dir.path, 'bells');
    const store = await FileSystemDocumentProvider.open({
      root: storeRoot,
      durability: 'relaxed',
      logger: silentLogger,
    });
    const queue = await FileSystemQueueProvider.open({ root: queueRoot, logger: silentLogger });
    cleanups.push(async () => {
      await queue.close();
      await store.close();
      dir.remove();
    });
    const worker = startChild('cancel-worker.ts', [storeRoot, queueRoot, String(concurrency)]);
    cleanups.push(() => killChild(worker));
    await worker.line(/^ready$/, 60_000);
    const manager = new JobManager({ store, queue });
    const status = async (id: string) => (await store.get(id))?.status;
    const settledAs = (id: string, wanted: JobDocument['status']) =>
      eventually(async () => (await status(id)) === wanted, 30_000, `${id} to be ${wanted}`);
    return { storeRoot, queueRoot, store, manager, worker, status, settledAs };
  }

  async function stopGracefully(worker: Child) {
    worker.process.kill('SIGTERM');
    expect((await worker.exited).code, worker.stderr()).toBe(0);
  }

  it('a second process cancels a running job: the worker’s signal aborts and the job ends cancelled', async () => {
    const { storeRoot, queueRoot, store, manager, worker, settledAs } = await setup(2);
    const { id } = await manager.enqueue(CancelProbe, { mode: 'obey' });
    await worker.line(new RegExp(`^started ${id}$`), 30_000);

    const canceller = startChild('cancel-job.ts', [storeRoot, queueRoot, id]);
    cleanups.push(() => killChild(canceller));
    expect(await canceller.line(/^outcome /, 30_000)).toBe('outcome requested');
    expect((await canceller.exited).code, canceller.stderr()).toBe(0);

    await worker.line(new RegExp(`^aborted ${id} JOB_CANCELLED$`), 30_000);
    await settledAs(id, 'cancelled');
    expect(await store.get(id)).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect(printed(worker, `returned ${id}`)).toBe(false);
    expect(await manager.cancel(id)).toBe('already-finished');
    await stopGracefully(worker);
  }, 90_000);

  it('a handler that ignores its signal loses its slot after timeoutGraceMs; the next job starts', async () => {
    const { manager, store, worker, status, settledAs } = await setup(1);
    const stuck = await manager.enqueue(CancelProbe, { mode: 'ignore' });
    await worker.line(new RegExp(`^started ${stuck.id}$`), 30_000);
    // The only slot is busy, so the next job waits in the store (no prefetch).
    const next = await manager.enqueue(CancelProbe, { mode: 'quick' });
    expect(await status(next.id)).toBe('scheduled');
    expect(printed(worker, `started ${next.id}`)).toBe(false);

    expect(await manager.cancel(stuck.id)).toBe('requested');
    await worker.line(new RegExp(`^aborted ${stuck.id} JOB_CANCELLED$`), 30_000);
    await settledAs(stuck.id, 'cancelled');
    await worker.line(new RegExp(`^returned ${next.id}$`), 30_000);
    await settledAs(next.id, 'completed');
    // The stuck handler never returned: the grace period freed its slot, not the handler.
    expect(printed(worker, `returned ${stuck.id}`)).toBe(false);
    expect(await store.get(stuck.id)).toMatchObject({ status: 'cancelled', attempt: 1 });
    worker.process.kill('SIGKILL'); // its stuck handler would hold a graceful stop
    await worker.exited;
  }, 90_000);

  it('a job cancelled while still scheduled never runs', async () => {
    const { manager, store, worker, status, settledAs } = await setup(2);
    const delayed = await manager.enqueue(CancelProbe, { mode: 'quick' }, { delayMs: 1_500 });
    expect(await status(delayed.id)).toBe('scheduled');
    expect(await manager.cancel(delayed.id)).toBe('cancelled');
    expect(await store.get(delayed.id)).toMatchObject({ status: 'cancelled', attempt: 0 });
    // A later job that does run proves the worker claimed past the cancelled job's due time.
    const witness = await manager.enqueue(CancelProbe, { mode: 'quick' }, { delayMs: 3_000 });
    await worker.line(new RegExp(`^returned ${witness.id}$`), 30_000);
    await settledAs(witness.id, 'completed');
    expect(lines(worker).filter((l) => l.includes(delayed.id))).toEqual([]);
    expect(await store.get(delayed.id)).toMatchObject({ status: 'cancelled', attempt: 0 });
    await stopGracefully(worker);
  }, 90_000);
});
