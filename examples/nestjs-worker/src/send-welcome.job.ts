import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';
import { Injectable } from '@nestjs/common';
import { WelcomeMailer } from './welcome-mailer.service.js';

/** The job's metadata (a `type`, not an `interface`: it must be JSON). */
export type WelcomeJob = { name: string };

/** Sends the welcome mail through the injected {@link WelcomeMailer}; a new instance per attempt. */
@Injectable()
@JobCallbackName('send-welcome')
export class SendWelcome extends BaseJobCallback<WelcomeJob, { message: string }> {
  static maxAttempts = 5;

  constructor(private readonly mailer: WelcomeMailer) {
    super();
  }

  async execute(ctx: JobContext<WelcomeJob>) {
    ctx.signal.throwIfAborted();
    console.log(`[job ${ctx.jobId}] attempt ${ctx.attempt}: welcoming ${this.metadata.name}`);
    return JobExecutionResult.success({ message: this.mailer.send(this.metadata.name) });
  }
}
