import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';

/** The worker's name, stamped on every result so the producer can count who did what. */
export const WORKER = process.env.WORKER_NAME ?? `worker-${process.pid}`;

/** Pretends to resize an image: a little CPU-free waiting, then a result. */
@JobCallbackName('resize-image')
export class ResizeImage extends BaseJobCallback<{ imageId: number; width: number }> {
  static maxAttempts = 5;

  async execute(ctx: JobContext) {
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
    ctx.signal.throwIfAborted();
    // One in twenty fails once, to show retries with backoff.
    if (this.metadata.imageId % 20 === 0 && ctx.attempt === 1) throw new Error('thumbnail service busy');
    return JobExecutionResult.success({ imageId: this.metadata.imageId, worker: WORKER });
  }
}

/** Sends an order receipt; enqueued in the same transaction as the order. */
@JobCallbackName('send-receipt')
export class SendReceipt extends BaseJobCallback<{ orderId: number }> {
  async execute() {
    return JobExecutionResult.success({ orderId: this.metadata.orderId, worker: WORKER });
  }
}
