import {
  BaseJobCallback,
  JobCallbackName,
  type JobContext,
  JobExecutionResult,
  PermanentJobError,
} from '@jobservice/core';

/** Sends a welcome email; the mail server is busy on the first try, so it retries. */
@JobCallbackName('send-welcome-email')
export class SendWelcomeEmail extends BaseJobCallback<{ to: string }, { messageId: string }> {
  static maxAttempts = 3;
  static backoff = { type: 'fixed', delayMs: 200 } as const;

  async execute(ctx: JobContext<{ to: string }>) {
    await sleep(20, ctx.signal);
    if (ctx.attempt === 1) {
      return JobExecutionResult.retry({ reason: 'SMTP 421: mailbox busy, try later' });
    }
    return JobExecutionResult.success({ messageId: `<${ctx.jobId.slice(-8)}@mail.example>` });
  }
}

/** Builds a monthly report in steps, reporting progress. */
@JobCallbackName('build-report')
export class BuildReport extends BaseJobCallback<{ month: string; rows: number }, { pages: number }> {
  static timeoutMs = 10_000;

  async execute(ctx: JobContext<{ month: string; rows: number }>) {
    for (let step = 1; step <= 4; step++) {
      await sleep(25, ctx.signal);
      ctx.progress({ percent: step * 25 });
    }
    return JobExecutionResult.success({ pages: Math.ceil(this.metadata.rows / 40) });
  }
}

/** Charges a card; a declined card fails at once, with no retries. */
@JobCallbackName('charge-card')
export class ChargeCard extends BaseJobCallback<{ orderId: string; cents: number; card: string }> {
  static maxAttempts = 5;

  async execute(ctx: JobContext<{ orderId: string; cents: number; card: string }>) {
    await sleep(10, ctx.signal);
    if (this.metadata.card.endsWith('0002')) {
      throw new PermanentJobError(`card declined for order ${this.metadata.orderId}`);
    }
    return JobExecutionResult.success({ charged: this.metadata.cents });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
