import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';

/** An invoice to render: which order, and how long rendering takes. */
export type RenderInvoice = { orderId: string; pages: number };

/** Renders one invoice (a stand-in: it waits a moment per page) and says which worker did it. */
@JobCallbackName('render-invoice')
export class RenderInvoiceJob extends BaseJobCallback<RenderInvoice, { orderId: string; worker: string }> {
  async execute(ctx: JobContext<RenderInvoice>) {
    await new Promise((resolve) => setTimeout(resolve, 20 * this.metadata.pages));
    if (ctx.signal.aborted) return JobExecutionResult.retry({ reason: 'stopped while rendering' });
    return JobExecutionResult.success({
      orderId: this.metadata.orderId,
      worker: process.env.WORKER_NAME ?? 'main',
    });
  }
}
