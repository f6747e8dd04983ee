import {
  BaseJobCallback,
  type DispatcherEvents,
  type IDocumentDataProvider,
  JobCallbackName,
  type JobContext,
  JobDispatcher,
  JobExecutionResult,
  PermanentJobError,
} from '@jobservice/core';
import { context, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The provider handlers create their own spans with (set per test). */
export const handlerTracing: { provider: TracerProvider | undefined } = { provider: undefined };

/** Completes at once, creating one span of its own inside the attempt. */
@JobCallbackName('send-email')
export class SendEmail extends BaseJobCallback<{ to: string }, { sent: string }> {
  async execute() {
    await Promise.resolve();
    handlerTracing.provider?.getTracer('handler').startSpan('smtp.write').end();
    return JobExecutionResult.success({ sent: this.metadata.to });
  }
}

/** Asks for a retry on attempts 1 and 2, completes on attempt 3. */
@JobCallbackName('flaky')
export class Flaky extends BaseJobCallback<{ n: number }> {
  static maxAttempts = 5;
  static backoff = { type: 'fixed', delayMs: 1 } as const;

  async execute(ctx: JobContext<{ n: number }>) {
    if (ctx.attempt < 3)
      return JobExecutionResult.retry({ delayMs: 1, reason: `busy on attempt ${ctx.attempt}` });
    return JobExecutionResult.success();
  }
}

/** Fails for good on its first attempt. */
@JobCallbackName('doomed')
export class Doomed extends BaseJobCallback<{ n: number }> {
  async execute(): Promise<JobExecutionResult<never>> {
    throw new PermanentJobError('card declined');
  }
}

/** Runs until its signal aborts (a stop with no grace), then ends with the abort. */
@JobCallbackName('long-running')
export class LongRunning extends BaseJobCallback<{ n: number }> {
  async execute(ctx: JobContext<{ n: number }>): Promise<JobExecutionResult<never>> {
    await new Promise<void>((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return JobExecutionResult.fail('unreachable');
  }
}

/** A real SDK tracer provider recording into memory, and the AsyncLocalStorage context manager, registered. */
export function setUpTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  handlerTracing.provider = provider;
  return {
    exporter,
    provider,
    /** Every finished span so far. */
    async spans(): Promise<ReadableSpan[]> {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async tearDown() {
      handlerTracing.provider = undefined;
      context.disable();
      await provider.shutdown();
    },
  };
}

/** A dispatcher that claims often (tests have no queue). */
export function dispatcherFor(store: IDocumentDataProvider): JobDispatcher {
  return new JobDispatcher({
    store,
    callbacks: [SendEmail, Flaky, Doomed, LongRunning],
    idlePollMs: 5,
    concurrency: 4,
  });
}

type EndEvent = 'started' | 'completed' | 'failed' | 'retrying' | 'released' | 'cancelled';

/**
 * Remembers a dispatcher's `started` and end events from now on, so a test can wait for
 * the event of a job it enqueues afterwards. Register it after
 * `instrument()`, so spans have ended when the waits resolve.
 */
export function recordEnds(dispatcher: JobDispatcher) {
  const seen: Array<{ event: EndEvent; id: string }> = [];
  const waiters: Array<() => void> = [];
  const events: EndEvent[] = ['started', 'completed', 'failed', 'retrying', 'released', 'cancelled'];
  for (const event of events) {
    dispatcher.on(event, ({ job }: DispatcherEvents[EndEvent]) => {
      seen.push({ event, id: job.id });
      for (const wake of waiters.splice(0)) wake();
    });
  }
  return {
    /** Resolves once `event` has happened `times` times for job `id`. */
    async until(event: EndEvent, id: string, times = 1): Promise<void> {
      while (seen.filter((e) => e.event === event && e.id === id).length < times) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** The span called `name` (exactly one). */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span '${name}', got ${found.length}: ${spans.map((s) => s.name).join(', ')}`,
    );
  }
  return found[0] as ReadableSpan;
}
