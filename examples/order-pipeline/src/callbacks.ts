import { BaseJobCallback, type JobContext, JobExecutionResult, type SchemaOutput } from '@jobservice/core';
import { z } from 'zod';

/** Every step of the pipeline takes the same order, validated at enqueue and again before each run. */
export const orderSchema = z.object({
  orderId: z.string().regex(/^A-\d+$/, 'an order id looks like A-1001'),
  email: z.email(),
  cents: z.number().int().positive(),
});

/** An order as the steps see it. */
export type Order = SchemaOutput<typeof orderSchema>;

/** Charges the card; an order of 0xBAD cents is declined (to show the failure path). */
export class ChargeOrder extends BaseJobCallback<Order, { chargeId: string }> {
  static jobName = 'order.charge';
  static schema = orderSchema;
  async execute(ctx: JobContext<Order>) {
    ctx.log('info', `charging ${this.metadata.cents} cents`, { orderId: this.metadata.orderId });
    if (this.metadata.cents === 0xbad)
      return JobExecutionResult.fail(`card declined for ${this.metadata.orderId}`);
    return JobExecutionResult.success({ chargeId: `ch_${this.metadata.orderId}` });
  }
}

/** Emails the receipt, quoting the charge it follows. */
export class EmailReceipt extends BaseJobCallback<Order, { to: string }> {
  static jobName = 'order.email';
  static schema = orderSchema;
  async execute(ctx: JobContext<Order>) {
    const [charge] = await ctx.parents();
    ctx.log('info', `receipt for ${JSON.stringify(charge?.result)} to ${this.metadata.email}`);
    return JobExecutionResult.success({ to: this.metadata.email });
  }
}

/** Builds the invoice. */
export class BuildInvoice extends BaseJobCallback<Order, { invoice: string }> {
  static jobName = 'order.invoice';
  static schema = orderSchema;
  async execute() {
    return JobExecutionResult.success({ invoice: `INV-${this.metadata.orderId.slice(2)}` });
  }
}

/** Archives the order once the email and the invoice are done, whatever became of them. */
export class ArchiveOrder extends BaseJobCallback<Order, { archived: string[] }> {
  static jobName = 'order.archive';
  static schema = orderSchema;
  async execute(ctx: JobContext<Order>) {
    const parents = await ctx.parents();
    return JobExecutionResult.success({ archived: parents.map((p) => `${p.name}=${p.status}`) });
  }
}

/** The pipeline's callbacks, for the manager and the dispatcher. */
export const orderCallbacks = [ChargeOrder, EmailReceipt, BuildInvoice, ArchiveOrder];
