/**
 * Rough end-to-end throughput of the file-system store (+ queue) in one
 * process: bulk enqueue, then a dispatcher runs no-op jobs until none is left.
 *
 *   node --import tsx packages/provider-fs/scripts/measure-throughput.ts [jobs] [full|relaxed] [concurrency] [queue|no-queue]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaseJobCallback,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  silentLogger,
} from '@jobservice/core';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '../src/index.js';

const jobs = Number(process.argv[2] ?? 20_000);
const durability = (process.argv[3] ?? 'full') as 'full' | 'relaxed';
const concurrency = Number(process.argv[4] ?? 10);
const useQueue = (process.argv[5] ?? 'queue') === 'queue';

class NoOp extends BaseJobCallback<{ i: number }> {
  static jobName = 'no-op';
  async execute() {
    return JobExecutionResult.success();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fs-measure-'));
try {
  const store = await FileSystemDocumentProvider.open({
    root: join(dir, 'store'),
    durability,
    logger: silentLogger,
  });
  const queue = useQueue ? await FileSystemQueueProvider.open({ root: join(dir, 'bells') }) : undefined;
  const manager = new JobManager({ store, queue, callbacks: [NoOp] });
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 1_000) {
    const n = Math.min(1_000, jobs - i);
    await manager.enqueueMany(
      Array.from({ length: n }, (_, k) => ({ callback: NoOp, metadata: { i: i + k } })),
    );
  }
  const t1 = performance.now();
  const dispatcher = new JobDispatcher({ store, queue, callbacks: [NoOp], concurrency, maxBatch: 100 });
  let done = 0;
  dispatcher.on('completed', () => {
    done++;
  });
  await dispatcher.drain();
  const t2 = performance.now();
  await dispatcher.stop();
  await queue?.close();
  await store.close();
  const enqueueS = (t1 - t0) / 1000;
  const runS = (t2 - t1) / 1000;
  console.log(
    JSON.stringify({
      jobs,
      durability,
      concurrency,
      queue: useQueue,
      completed: done,
      enqueuePerS: Math.round(jobs / enqueueS),
      runPerS: Math.round(jobs / runS),
      endToEndPerS: Math.round(jobs / (enqueueS + runS)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
