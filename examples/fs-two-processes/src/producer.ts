/**
 * The producer process (a web server, say): enqueues receipt jobs by name
 * into the shared folder, then waits for the last one — its completion,
 * written by another process, arrives through the store's change feed.
 */
import { JobManager } from '@jobservice/core';
import { dataDir, openShared, type ReceiptMetadata, SEND_RECEIPT } from './shared.js';

const count = Number(process.env.COUNT ?? 20);
const { store, queue } = await openShared();
const manager = new JobManager({ store, queue });

const orders: ReceiptMetadata[] = Array.from({ length: count }, (_, i) => ({
  orderId: `order-${Date.now()}-${i}`,
  email: `customer${i}@example.com`,
}));
const results = await manager.enqueueMany(
  orders.map((metadata) => ({ callback: SEND_RECEIPT, metadata, options: { key: metadata.orderId } })),
);
console.log(`enqueued ${results.length} receipt job(s) into ${dataDir}`);

const last = results[results.length - 1];
if (last) {
  const timeout = AbortSignal.timeout(30_000);
  try {
    const result = await manager.waitFor(last.id, { signal: timeout });
    console.log(`the last one is done:`, result);
  } catch (error) {
    console.log(timeout.aborted ? 'no worker finished it within 30 s: is one running?' : error);
  }
}
await queue.close();
await store.close();
