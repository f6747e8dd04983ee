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
const holds: number[] = [];
const waits: number[] = [];
let since = 0;
const acq = FileLock.prototype.acquire;
const rel = FileLock.prototype.release;
FileLock.prototype.acquire = async function () {
  const t = performance.now();
  await acq.call(this);
  since = performance.now();
  waits.push(since - t);
};
FileLock.prototype.release = function () {
  holds.push(performance.now() - since);
  return rel.call(this);
};
const durability = (process.argv[2] ?? 'full') as 'full';
const dir = mkdtempSync(join(tmpdir(), 'fs-lock-'));
const store = await FileSystemDocumentProvider.open({
  root: join(dir, 'store'),
  durability,
  logger: silentLogger,
});
const manager = new JobManager({ store, callbacks: [NoOp] });
for (let i = 0; i < 3000; i += 500)
  await manager.enqueueMany(
    Array.from({ length: 500 }, (_, k) => ({ callback: NoOp, metadata: { i: i + k } })),
  );
holds.length = 0;
waits.length = 0;
const d = new JobDispatcher({ store, callbacks: [NoOp], concurrency: 20 });
const t0 = performance.now();
await d.drain();
const el = performance.now() - t0;
await d.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
holds.sort((a, b) => a - b);
const pct = (p: number) => holds[Math.floor(holds.length * p)]!.toFixed(2);
console.log(
  durability,
  'jobs/s',
  Math.round(3000 / (el / 1000)),
  'lock holds',
  holds.length,
  'p50',
  pct(0.5),
  'p90',
  pct(0.9),
  'p99',
  pct(0.99),
  'ms; share of wall time held',
  ((holds.reduce((a, b) => a + b, 0) / el) * 100).toFixed(0) + '%',
);
