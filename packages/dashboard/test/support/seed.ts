import { type IDocumentDataProvider, JobDispatcher, JobExecutionResult, JobManager } from '@jobservice/core';
import { defineCallback } from '@jobservice/core/testing';

/** Metadata that would run script if it were ever parsed as HTML. */
export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';

/** Logs two lines and throws on every attempt: enqueued with two attempts, it fails with both errors (and stacks) in history. */
export const FlakyUpload = defineCallback<{ file: string; bytes: number }>(
  'flaky-upload',
  (metadata, ctx) => {
    ctx.log('info', `uploading ${metadata.file}`, { bytes: metadata.bytes });
    ctx.log('warn', 'disk nearly full');
    throw new Error('disk full while writing <chunk>');
  },
);
/** Succeeds with a result. */
export const SendEmail = defineCallback('send-email', () => JobExecutionResult.success({ sent: true }));
/** Fails at once through `JobExecutionResult.fail`. */
export const ChargeCard = defineCallback('charge-card', () => JobExecutionResult.fail('card declined'));

/** What `seed` wrote. */
export interface Seeded {
  manager: JobManager;
  dispatcher: JobDispatcher;
  failedIds: string[];
  hostileId: string;
}

/** Three failed uploads, one failed charge, two sent emails (one with hostile metadata), one schedule. */
export async function seed(store: IDocumentDataProvider): Promise<Seeded> {
  const manager = new JobManager({ store });
  const failedIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { id } = await manager.enqueue(
      'flaky-upload',
      { file: `photo-${i}.png`, bytes: 1024 * (i + 1) },
      {
        labels: { team: 'media' },
        maxAttempts: 2,
        backoff: { type: 'fixed', delayMs: 0 },
      },
    );
    failedIds.push(id);
  }
  failedIds.push((await manager.enqueue('charge-card', { orderId: 'A-17', cents: 1999 })).id);
  await manager.enqueue('send-email', { to: 'ada@example.com' });
  const { id: hostileId } = await manager.enqueue('send-email', { html: HOSTILE });
  await manager.schedule('nightly-report', 'send-email', {
    cron: '0 3 * * *',
    timezone: 'UTC',
    metadata: { to: 'ops@example.com' },
  });
  const dispatcher = new JobDispatcher({
    store,
    callbacks: [FlakyUpload, SendEmail, ChargeCard],
    concurrency: 4,
  });
  // A retry is due again at once; each drain runs what is due, so drain until the uploads have failed for good.
  for (let round = 0; round < 5; round++) {
    await dispatcher.drain();
    const page = await manager.list({ statuses: ['scheduled'], names: ['flaky-upload'], limit: 1 });
    if (page.items.length === 0) break;
  }
  return { manager, dispatcher, failedIds, hostileId };
}
