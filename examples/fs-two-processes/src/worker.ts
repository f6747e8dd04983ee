/**
 * The worker process: runs `send-receipt` jobs from the shared folder until
 * Ctrl-C (or SIGTERM), then stops gracefully. Start one or several.
 */
import {
  BaseJobCallback,
  JobCallbackName,
  type JobContext,
  JobDispatcher,
  JobExecutionResult,
} from '@jobservice/core';
import { dataDir, openShared, type ReceiptMetadata, SEND_RECEIPT } from './shared.js';

@JobCallbackName(SEND_RECEIPT)
class SendReceipt extends BaseJobCallback<ReceiptMetadata, { sentTo: string; by: number }> {
  static maxAttempts = 3;

  async execute(ctx: JobContext<ReceiptMetadata>) {
    await new Promise((resolve) => setTimeout(resolve, 50)); // the "email"
    ctx.signal.throwIfAborted();
    return JobExecutionResult.success({ sentTo: this.metadata.email, by: process.pid });
  }
}

const { store, queue } = await openShared();
const dispatcher = new JobDispatcher({ store, queue, callbacks: [SendReceipt], concurrency: 8 });
dispatcher.on('completed', ({ job }) => {
  console.log(`worker ${process.pid}: sent receipt for ${(job.metadata as ReceiptMetadata).orderId}`);
});
dispatcher.on('error', ({ error, during }) => console.error(`error during ${during}:`, error));
await dispatcher.start();
console.log(`worker ${process.pid} ready on ${dataDir} (Ctrl-C to stop)`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await dispatcher.stop({ graceMs: 5_000 });
    await queue.close();
    await store.close();
    console.log(`worker ${process.pid} stopped`);
    process.exit(0);
  });
}
