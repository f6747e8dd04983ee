import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JobDispatcher,
  type JobDocument,
  JobManager,
  MetadataValidationError,
  silentLogger,
} from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import {
  ArchiveOrder,
  BuildInvoice,
  ChargeOrder,
  EmailReceipt,
  type Order,
  orderCallbacks,
} from './callbacks.js';

const root = process.env.JOBSERVICE_DATA ?? mkdtempSync(join(tmpdir(), 'order-pipeline-'));
const store = await FileSystemDocumentProvider.open({ root: join(root, 'jobs'), logger: silentLogger });
const queue = new ChannelQueueProvider();
const manager = new JobManager({ store, queue, callbacks: orderCallbacks });
const dispatcher = new JobDispatcher({ store, queue, callbacks: orderCallbacks, concurrency: 4 });

const names = new Map<string, string>();
const show = (job: JobDocument, what: string) =>
  console.log(`${(names.get(job.id) ?? job.name).padEnd(14)} ${what}`);
dispatcher.on('started', ({ job }) => show(job, 'started'));
dispatcher.on('completed', ({ job, result }) => show(job, `completed ${JSON.stringify(result)}`));
dispatcher.on('failed', ({ job, error }) => show(job, `failed: ${error.message}`));
dispatcher.on('log', ({ job, entry }) => show(job, `log ${entry.level}: ${entry.message}`));

/** One order's flow: charge, then email and invoice side by side, then archive (even if a step failed). */
async function placeOrder(order: Order) {
  const options = { labels: { domain: 'orders', orderId: order.orderId } };
  const flow = await manager.enqueueFlow({
    charge: { callback: ChargeOrder, metadata: order, options },
    email: { callback: EmailReceipt, metadata: order, after: ['charge'], options },
    invoice: { callback: BuildInvoice, metadata: order, after: ['charge'], options },
    archive: {
      callback: ArchiveOrder,
      metadata: order,
      after: ['email', 'invoice'],
      onParentFailure: 'run',
      options,
    },
  });
  for (const [step, result] of Object.entries(flow)) names.set(result.id, `${order.orderId} ${step}`);
  return flow;
}

console.log(`order pipeline on the file-system store in ${root}\n`);
try {
  await manager.enqueue(ChargeOrder, { orderId: '42', email: 'not-an-email', cents: -1 });
} catch (error) {
  if (!(error instanceof MetadataValidationError)) throw error;
  console.log(
    `refused at enqueue, nothing written: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}\n`,
  );
}

const good = await placeOrder({ orderId: 'A-1001', email: 'ada@example.com', cents: 4_999 });
const declined = await placeOrder({ orderId: 'A-1002', email: 'grace@example.com', cents: 0xbad });
await dispatcher.start();
await Promise.allSettled([good.archive, declined.archive].map((r) => manager.waitFor(r!.id)));
await dispatcher.stop();

console.log('\nby label orderId=A-1002:');
const page = await manager.list({ labels: { orderId: 'A-1002' } });
for (const job of page.items) console.log(`  ${(names.get(job.id) ?? job.name).padEnd(16)} ${job.status}`);
const archived = await manager.get(good.archive!.id);
console.log(`\nA-1001 archive result: ${JSON.stringify(archived?.result)}`);
await queue.close();
await store.close();
