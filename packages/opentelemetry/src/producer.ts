import type { JobManager, NewJob } from '@jobservice/core';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_JOBSERVICE_CREATED,
  ATTR_JOBSERVICE_CREATED_COUNT,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_SYSTEM,
} from './attributes.js';
import { formatTraceCarrier } from './trace-carrier.js';

/**
 * Wraps every `enqueue` / `enqueueMany` of `manager` in a PRODUCER span
 * (`send <callback name>`; a batch of several names is `send`), a child of
 * the caller's active context and active itself while the store writes.
 * Each job without a `trace` of its own gets the span's context as its
 * carrier; a trace passed explicitly is kept. Returns the remover.
 */
export function instrumentEnqueue(manager: JobManager, tracer: Tracer): () => void {
  return manager.wrapEnqueue((jobs, insert) => {
    const span = tracer.startSpan(
      producerSpanName(jobs),
      { kind: SpanKind.PRODUCER, attributes: producerAttributes(jobs) },
      context.active(),
    );
    const carrier = formatTraceCarrier(span.spanContext());
    if (carrier) {
      for (const job of jobs) {
        if (job.trace === undefined || job.trace === null) job.trace = { ...carrier };
      }
    }
    return context.with(trace.setSpan(context.active(), span), async () => {
      try {
        const results = await insert();
        recordCreated(span, results);
        return results;
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  });
}

/** `send <name>`, or `send` for a batch of several names. */
function producerSpanName(jobs: readonly NewJob[]): string {
  const name = commonName(jobs);
  return name === undefined ? 'send' : `send ${name}`;
}

function producerAttributes(jobs: readonly NewJob[]): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
    [ATTR_MESSAGING_OPERATION_NAME]: 'send',
  };
  const name = commonName(jobs);
  if (name !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = name;
  if (jobs.length === 1) attributes[ATTR_MESSAGING_MESSAGE_ID] = (jobs[0] as NewJob).id;
  else attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = jobs.length;
  return attributes;
}

function commonName(jobs: readonly NewJob[]): string | undefined {
  const first = jobs[0]?.name;
  return first !== undefined && jobs.every((job) => job.name === first) ? first : undefined;
}

function recordCreated(span: Span, results: readonly { created: boolean }[]): void {
  if (results.length === 1) span.setAttribute(ATTR_JOBSERVICE_CREATED, results[0]?.created === true);
  else span.setAttribute(ATTR_JOBSERVICE_CREATED_COUNT, results.filter((r) => r.created).length);
}

function recordError(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : String(error);
  span.recordException(exception);
  span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : typeof error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
