/**
 * How long one busy dispatcher holds the store lock: every acquisition of
 * this process is timed from acquired to released.
 *
 *   node --import tsx packages/provider-fs/scripts/measure-lock-hold.ts [full|relaxed] [jobs=3000]
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
import { FileSystemDocumentProvider } from '../src/index.js';
import { FileLock } from '../src/lock/file-lock.js';

class NoOp extends BaseJobCallback<{ i: number }> {
  static jobName = 'no-op';
  async execute() {
    return JobExecutionResult.success();
  }
}

const durability = (process.argv[2] ?? 'full') as 'full' | 'relaxed';
const jobs = Number(process.argv[3] ?? 3_000);
const holds: number[] = [];
let heldSince = 0;
const acquire = FileLock.prototype.acquire;
const release = FileLock.prototype.release;
FileLock.prototype.acquire = async function (this: FileLock) {
  await acquire.call(this);
  heldSince = performance.now();
};
FileLock.prototype.release = function (this: FileLock) {
  holds.push(performance.now() - heldSince);
  release.call(this);
};

const dir = mkdtempSync(join(tmpdir(), 'fs-lock-'));
try {
  const store = await FileSystemDocumentProvider.open({
    root: join(dir, 'store'),
    durability,
    logger: silentLogger,
  });
  const manager = new JobManager({ store, callbacks: [NoOp] });
  for (let i = 0; i < jobs; i += 500) {
    await manager.enqueueMany(
      Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ callback: NoOp, metadata: { i: i + k } })),
    );
  }
  holds.length = 0;
  const dispatcher = new JobDispatcher({ store, callbacks: [NoOp], concurrency: 20 });
  const t0 = performance.now();
  await dispatcher.drain();
  const elapsed = performance.now() - t0;
  await dispatcher.stop();
  await store.close();
  holds.sort((a, b) => a - b);
  const at = (p: number) => Math.round((holds[Math.floor(holds.length * p)] ?? 0) * 100) / 100;
  const held = holds.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      durability,
      jobsPerS: Math.round(jobs / (elapsed / 1000)),
      lockHolds: holds.length,
      holdMsP50: at(0.5),
      holdMsP90: at(0.9),
      holdMsP99: at(0.99),
      shareOfWallTimeHeld: `${Math.round((held / elapsed) * 100)}%`,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
