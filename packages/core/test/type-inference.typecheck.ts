/**
 * Type-level tests, checked by `npm run typecheck` (tsc): every line marked
 * `@ts-expect-error` must fail to compile, or tsc reports an unused directive.
 */
import {
  BaseJobCallback,
  JobCallbackName,
  type JobContext,
  type JobDocument,
  JobExecutionResult,
  JobManager,
  type JsonValue,
  MemoryDocumentProvider,
  type MetadataOf,
} from '../src/index.js';

@JobCallbackName('send-email')
class SendEmail extends BaseJobCallback<{ to: string; cc?: string[] }, { messageId: string }> {
  async execute(_ctx: JobContext<{ to: string; cc?: string[] }>) {
    const to: string = this.metadata.to;
    return JobExecutionResult.success({ messageId: to });
  }
}

const manager = new JobManager({ store: new MemoryDocumentProvider(), callbacks: [SendEmail] });

export async function typeChecks(): Promise<void> {
  // Metadata is inferred from the class.
  const metadata: MetadataOf<typeof SendEmail> = { to: 'ada@example.com' };
  await manager.enqueue(SendEmail, metadata);
  await manager.enqueue(SendEmail, { to: 'ada@example.com', cc: ['bob@example.com'] });

  // @ts-expect-error wrong field for SendEmail's metadata
  await manager.enqueue(SendEmail, { wrong: 1 });

  // @ts-expect-error missing required field
  await manager.enqueue(SendEmail, {});

  // @ts-expect-error a Date is not JSON
  await manager.enqueue('send-email', { when: new Date() });

  // @ts-expect-error a function is not JSON
  await manager.enqueue('send-email', { f: () => 1 });

  // @ts-expect-error undefined is not JSON
  await manager.enqueue('send-email', { maybe: undefined as unknown as undefined });

  // By name, any JSON is accepted at compile time (checked at run time).
  await manager.enqueue('send-email', { to: 'x', n: 1, nested: [{ ok: true }] });

  // waitFor is typed by the callback it names; without one it is JSON.
  const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' });
  const sent: { messageId: string } | null = await manager.waitFor<typeof SendEmail>(id);
  // @ts-expect-error the result is SendEmail's, not a number
  const wrong: number | null = await manager.waitFor<typeof SendEmail>(id);
  const anyJson: JsonValue | null = await manager.waitFor(id);
  void [sent, wrong, anyJson];

  const job = (await manager.get(SendEmail as never)) as JobDocument<{ to: string }> | null;
  if (job) {
    const to: string = job.metadata.to;
    void to;
  }
}

// @ts-expect-error metadata must be JSON: a class with a Date field is refused
export class BadCallback extends BaseJobCallback<{ when: Date }> {
  execute() {
    return JobExecutionResult.success();
  }
}

export class WrongResult extends BaseJobCallback<{ a: number }, { ok: boolean }> {
  // @ts-expect-error the declared result type is { ok: boolean }
  execute() {
    return JobExecutionResult.success({ ok: 'yes' });
  }
}
