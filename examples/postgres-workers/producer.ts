/**
 * The producer: enqueues a batch of image jobs in one call, and an order
 * plus its receipt job in one transaction; then waits until every job has
 * finished and prints who ran what.
 *
 *   JOBS=500 npm run producer
 */
import { JobManager } from '@jobservice/core';
import pg from 'pg';
import { connect, DATABASE_URL, SCHEMA } from './config.js';
import { ResizeImage, SendReceipt } from './jobs.js';

const count = Number(process.env.JOBS ?? 500);
const postgres = connect();
await postgres.ready();
const manager = new JobManager({ store: postgres, queue: postgres, callbacks: [ResizeImage, SendReceipt] });

// 1. Many jobs, one statement, one NOTIFY.
const started = Date.now();
const results = await manager.enqueueMany(
  Array.from({ length: count }, (_, i) => ({
    callback: ResizeImage,
    metadata: { imageId: i + 1, width: 320 },
    options: { priority: i < 10 ? 10 : 0 },
  })),
);
const ids = results.map((r) => r.id);

// 2. Transactional enqueue: the receipt job exists if and only if the order commits.
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
const client = await pool.connect();
try {
  await client.query('BEGIN');
  await client.query(`CREATE TABLE IF NOT EXISTS "${SCHEMA}".orders (id serial PRIMARY KEY, total int)`);
  const order = await client.query<{ id: number }>(
    `INSERT INTO "${SCHEMA}".orders (total) VALUES (4200) RETURNING id`,
  );
  const receipt = await manager.enqueue(SendReceipt, { orderId: order.rows[0]!.id }, { transaction: client });
  await client.query('COMMIT');
  ids.push(receipt.id);
} catch (error) {
  await client.query('ROLLBACK');
  throw error;
} finally {
  client.release();
  await pool.end();
}
console.log(`enqueued ${ids.length} jobs; waiting for the workers…`);

// 3. Wait for every job (through the store's change feed), then count by worker.
const byWorker = new Map<string, number>();
for (const id of ids) {
  const result = (await manager.waitFor(id)) as { worker: string };
  byWorker.set(result.worker, (byWorker.get(result.worker) ?? 0) + 1);
}
console.log(`all ${ids.length} jobs completed in ${Date.now() - started} ms`);
for (const [worker, n] of [...byWorker].sort()) console.log(`  ${worker}: ${n}`);
await postgres.close();
