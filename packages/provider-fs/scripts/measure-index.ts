/**
 * What the index costs with many jobs on disk: open time (loading the index
 * log), a rebuild from the documents, claim and query times.
 *
 *   node --expose-gc --import tsx packages/provider-fs/scripts/measure-index.ts [jobs=100000]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NewJob, silentLogger } from '@jobservice/core';
import { FileSystemDocumentProvider } from '../src/index.js';

const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'fs-index-'));
const root = join(dir, 'store');
const options = { root, durability: 'relaxed' as const, logger: silentLogger };
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const results: Record<string, number | string> = { jobs: count };

const newJob = (i: number): NewJob => ({
  id: `0190${String(i).padStart(8, '0')}-0000-7000-8000-000000000000`,
  name: i % 10 === 0 ? 'report' : 'email',
  metadata: { to: `user${i}@example.com`, i },
  priority: i % 7 === 0 ? 5 : 0,
  delayMs: i % 3 === 0 ? 3_600_000 : 0,
  maxAttempts: 3,
  backoff: { type: 'exponential', baseMs: 1_000, maxMs: 3_600_000, jitter: 0.2 },
  timeoutMs: null,
  key: i % 5 === 0 ? `order-${i}` : null,
});

try {
  let t0 = performance.now();
  const writer = await FileSystemDocumentProvider.open(options);
  for (let i = 0; i < count; i += 1_000) {
    await writer.insertMany(Array.from({ length: Math.min(1_000, count - i) }, (_, k) => newJob(i + k)));
  }
  results.insertPerS = Math.round(count / ((performance.now() - t0) / 1000));
  await writer.close();

  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t0 = performance.now();
  const store = await FileSystemDocumentProvider.open(options);
  results.openMs = ms(t0);
  globalThis.gc?.();
  results.indexBytesPerJob = Math.round((process.memoryUsage().heapUsed - heapBefore) / count);
  const claim = () => store.claim({ names: ['email', 'report'], limit: 20, workerId: 'w', leaseMs: 60_000 });
  t0 = performance.now();
  await claim();
  results.firstClaimOf20Ms = ms(t0);
  t0 = performance.now();
  for (let i = 0; i < 50; i++) await claim();
  results.claimOf20Ms = Math.round(ms(t0) / 5) / 10;
  t0 = performance.now();
  await store.query({ statuses: ['scheduled'], limit: 100 });
  results.queryScheduledPageMs = ms(t0);
  t0 = performance.now();
  await store.query({
    statuses: ['scheduled'],
    names: ['report'],
    dueAt: Date.now(),
    order: 'claim',
    limit: 40,
  });
  results.queryDueClaimOrderMs = ms(t0);
  t0 = performance.now();
  await store.query({ key: 'order-500' });
  results.queryByKeyMs = ms(t0);
  t0 = performance.now();
  await store.query({ statuses: ['running'], leaseExpiredAt: Date.now() + 120_000, limit: 100 });
  results.queryExpiredLeasesMs = ms(t0);
  const logBytes = readdirSync(join(root, 'index')).reduce(
    (n, f) => n + statSync(join(root, 'index', f)).size,
    0,
  );
  results.indexLogMiB = Math.round(logBytes / 104_857.6) / 10;
  // Documents live in the log until written back: write them all back before dropping index/.
  t0 = performance.now();
  results.writtenBack = await store.checkpoint();
  results.checkpointMs = ms(t0);
  await store.close();
  rmSync(join(root, 'index'), { recursive: true });
  t0 = performance.now();
  const rebuilt = await FileSystemDocumentProvider.open(options);
  results.rebuildFromDocumentsMs = ms(t0);
  await rebuilt.close();
  console.log(JSON.stringify(results, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
