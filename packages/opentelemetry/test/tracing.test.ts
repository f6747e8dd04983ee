import { type JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrument, parseTraceCarrier } from '../src/index.js';
import {
  Doomed,
  dispatcherFor,
  Flaky,
  LongRunning,
  only,
  recordEnds,
  SendEmail,
  setUpTracing,
} from './support.js';

describe('traces', () => {
  let tracing: ReturnType<typeof setUpTracing>;
  let store: MemoryDocumentProvider;
  let manager: JobManager;
  let dispatcher: JobDispatcher;
  let stop: () => void;
  let ends: ReturnType<typeof recordEnds>;

  beforeEach(() => {
    tracing = setUpTracing();
    store = new MemoryDocumentProvider();
    manager = new JobManager({ store, callbacks: [SendEmail, Flaky, Doomed, LongRunning] });
    dispatcher = dispatcherFor(store);
    stop = instrument({ manager, dispatcher, tracerProvider: tracing.provider, metrics: false });
    ends = recordEnds(dispatcher);
  });

  afterEach(async () => {
    stop();
    await dispatcher.stop();
    await store.close();
    await tracing.tearDown();
  });

  /** Enqueues inside an active `http request` span, as a web handler would. */
  function enqueueInRequest<T>(enqueue: () => Promise<T>): Promise<T> {
    return tracing.provider.getTracer('app').startActiveSpan('http request', async (span) => {
      try {
        return await enqueue();
      } finally {
        span.end();
      }
    });
  }

  it('makes the producer and the consumer one trace, the handler span a child of the consumer', async () => {
    await dispatcher.start();
    const { id } = await enqueueInRequest(() => manager.enqueue(SendEmail, { to: 'ada@example.com' }));
    await ends.until('completed', id);

    const spans = await tracing.spans();
    const request = only(spans, 'http request');
    const producer = only(spans, 'send send-email');
    const consumer = only(spans, 'process send-email');
    const inner = only(spans, 'smtp.write');

    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(producer.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(producer.attributes).toEqual({
      'messaging.system': 'jobservice',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'send-email',
      'messaging.message.id': id,
      'jobservice.created': true,
    });

    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.parentSpanContext?.isRemote).toBe(true);
    expect(consumer.attributes).toEqual({
      'messaging.system': 'jobservice',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'send-email',
      'messaging.message.id': id,
      'messaging.client.id': dispatcher.options.workerId,
      'jobservice.attempt': 1,
      'jobservice.outcome': 'completed',
    });
    expect(consumer.status.code).toBe(SpanStatusCode.UNSET);

    expect(inner.spanContext().traceId).toBe(consumer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);

    const stored = await manager.get(id);
    expect(parseTraceCarrier(stored?.trace)?.spanId).toBe(producer.spanContext().spanId);
  });

  it('gives each attempt of a retried job a sibling span under the producer', async () => {
    const { id } = await enqueueInRequest(() => manager.enqueue(Flaky, { n: 1 }));
    await dispatcher.start();
    await ends.until('completed', id);

    const spans = await tracing.spans();
    const producer = only(spans, 'send flaky');
    const attempts = spans
      .filter((s) => s.name === 'process flaky')
      .sort(
        (a, b) => Number(a.attributes['jobservice.attempt']) - Number(b.attributes['jobservice.attempt']),
      );
    expect(attempts.map((s) => s.attributes['jobservice.attempt'])).toEqual([1, 2, 3]);
    expect(attempts.map((s) => s.attributes['jobservice.outcome'])).toEqual([
      'retried',
      'retried',
      'completed',
    ]);
    expect(attempts.map((s) => s.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    for (const attempt of attempts) {
      expect(attempt.spanContext().traceId).toBe(producer.spanContext().traceId);
      expect(attempt.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    }
    expect(attempts[0]?.status.message).toBe('busy on attempt 1');
    expect(attempts[0]?.events.map((e) => e.name)).toEqual(['exception']);
    expect(attempts[0]?.attributes['jobservice.retry_delay_ms']).toBe(1);
    expect(attempts[2]?.events).toEqual([]);
  });

  it('records a job that fails for good as an ERROR span with the exception', async () => {
    await dispatcher.start();
    const { id } = await enqueueInRequest(() => manager.enqueue(Doomed, { n: 1 }));
    await ends.until('failed', id);

    const consumer = only(await tracing.spans(), 'process doomed');
    expect(consumer.attributes['jobservice.outcome']).toBe('failed');
    expect(consumer.attributes['error.type']).toBe('PERMANENT');
    expect(consumer.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    const exception = consumer.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('card declined');
  });

  it('sends a batch in one span whose context every job carries', async () => {
    await dispatcher.start();
    const results = await enqueueInRequest(() =>
      manager.enqueueMany([
        { callback: SendEmail, metadata: { to: 'ada@example.com' } },
        { callback: SendEmail, metadata: { to: 'grace@example.com' } },
        { callback: Flaky, metadata: { n: 2 } },
      ]),
    );
    for (const { id } of results) await ends.until('completed', id);

    const spans = await tracing.spans();
    const batch = only(spans, 'send');
    expect(batch.kind).toBe(SpanKind.PRODUCER);
    expect(batch.attributes['messaging.batch.message_count']).toBe(3);
    expect(batch.attributes['messaging.destination.name']).toBeUndefined();
    expect(batch.attributes['messaging.message.id']).toBeUndefined();
    expect(batch.attributes['jobservice.created_count']).toBe(3);
    const consumers = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    // Two send-email attempts and three flaky ones (it retries twice).
    expect(consumers).toHaveLength(5);
    for (const consumer of consumers) {
      expect(consumer.parentSpanContext?.spanId).toBe(batch.spanContext().spanId);
    }
  });

  it('keeps a trace the caller passed and parents the attempt on it', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await dispatcher.start();
    const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' }, { trace: { traceparent } });
    await ends.until('completed', id);

    expect((await manager.get(id))?.trace).toEqual({ traceparent });
    const consumer = only(await tracing.spans(), 'process send-email');
    expect(consumer.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(consumer.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('parents the producer on nothing without an active span, and the attempt still on the producer', async () => {
    await dispatcher.start();
    const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' });
    await ends.until('completed', id);

    const spans = await tracing.spans();
    const producer = only(spans, 'send send-email');
    const consumer = only(spans, 'process send-email');
    expect(producer.parentSpanContext).toBeUndefined();
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
  });

  it('starts a new trace for a job stored without a trace, whatever context is active around it', async () => {
    const plain = new JobManager({ store, callbacks: [SendEmail] });
    await dispatcher.start();
    const { id } = await enqueueInRequest(() => plain.enqueue(SendEmail, { to: 'ada@example.com' }));
    await ends.until('completed', id);

    expect((await manager.get(id))?.trace).toBeNull();
    const spans = await tracing.spans();
    const request = only(spans, 'http request');
    const consumer = only(spans, 'process send-email');
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(consumer.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(only(spans, 'smtp.write').parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
  });

  it('removes every wrapper and listener when the returned function is called', async () => {
    stop();
    await dispatcher.start();
    const { id } = await enqueueInRequest(() => manager.enqueue(SendEmail, { to: 'ada@example.com' }));
    await ends.until('completed', id);

    const spans = await tracing.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['http request', 'smtp.write']);
    expect((await manager.get(id))?.trace).toBeNull();
  });

  it('ends a span still open when removed with its attempt: released at shutdown, no error status', async () => {
    await dispatcher.start();
    const { id } = await enqueueInRequest(() => manager.enqueue(LongRunning, { n: 1 }));
    await ends.until('started', id);
    stop();
    await dispatcher.stop({ graceMs: 0 });
    await ends.until('released', id);

    const consumer = only(await tracing.spans(), 'process long-running');
    expect(consumer.attributes['jobservice.outcome']).toBe('released');
    expect(consumer.status.code).toBe(SpanStatusCode.UNSET);
    expect(consumer.parentSpanContext?.spanId).toBe(
      only(await tracing.spans(), 'send long-running').spanContext().spanId,
    );
  });
});
