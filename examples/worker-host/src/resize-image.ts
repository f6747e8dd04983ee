import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';

/** A demo job that works for `ms` and stops early when its signal aborts. */
@JobCallbackName('resize-image')
export class ResizeImage extends BaseJobCallback<{ image: string; ms: number }, { thumbnail: string }> {
  async execute(ctx: JobContext<{ image: string; ms: number }>) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.metadata.ms);
      ctx.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        },
        { once: true },
      );
    });
    return JobExecutionResult.success({ thumbnail: this.metadata.image.replace(/(\.\w+)$/, '.thumb$1') });
  }
}
