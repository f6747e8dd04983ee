import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';

/** A promise released from outside: holds a job running while the test scrapes. */
export class Gate {
  readonly opened: Promise<void>;
  open!: () => void;

  constructor() {
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }
}

/** Completes at once. */
@JobCallbackName('quick')
export class Quick extends BaseJobCallback<{ n: number }, { n: number }> {
  async execute() {
    return JobExecutionResult.success({ n: this.metadata.n });
  }
}

/** Asks for a retry on its first attempt, then completes. */
@JobCallbackName('flaky')
export class Flaky extends BaseJobCallback<{ n: number }> {
  static maxAttempts = 3;

  async execute(ctx: JobContext<{ n: number }>) {
    if (ctx.attempt === 1) return JobExecutionResult.retry({ delayMs: 0, reason: 'busy, try again' });
    return JobExecutionResult.success();
  }
}

/** Fails for good on its first attempt. */
@JobCallbackName('doomed')
export class Doomed extends BaseJobCallback<{ n: number }> {
  static maxAttempts = 3;

  async execute(): Promise<JobExecutionResult> {
    return JobExecutionResult.fail('declined');
  }
}

/** Runs until {@link Blocked.gate} opens (or its signal aborts). */
@JobCallbackName('blocked')
export class Blocked extends BaseJobCallback<{ n: number }> {
  static gate = new Gate();

  async execute(ctx: JobContext<{ n: number }>) {
    await new Promise<void>((resolve, reject) => {
      Blocked.gate.opened.then(resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return JobExecutionResult.success();
  }
}

/** Every callback of the tests. */
export const CALLBACKS = [Quick, Flaky, Doomed, Blocked];
