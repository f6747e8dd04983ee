import type { DispatcherEvents, JobDispatcher, JobDocument, JobError } from '@jobservice/core';
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_JOBSERVICE_ATTEMPT,
  ATTR_JOBSERVICE_OUTCOME,
  ATTR_JOBSERVICE_RETRY_DELAY_MS,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  type AttemptSpanOutcome,
  MESSAGING_SYSTEM,
} from './attributes.js';
import { contextFromCarrier } from './trace-carrier.js';

/**
 * Runs every attempt of `dispatcher` in a CONSUMER span
 * (`process <callback name>`) whose parent is the job's stored trace (the
 * producer span), active while the handler runs, ended by the attempt's end
 * event with `jobservice.outcome`. Retries are siblings: each attempt's
 * parent is the producer.
 *
 * The returned remover stops new attempts getting spans at once; spans
 * already open still end with their attempt's outcome (or when the
 * dispatcher stops), then the listeners go too.
 */
export function instrumentAttempts(dispatcher: JobDispatcher, tracer: Tracer): () => void {
  const open = new Map<string, Span>();
  let removed = false;
  const workerId = dispatcher.options.workerId;

  const offs: Array<() => void> = [];
  const on = <K extends keyof DispatcherEvents & string>(
    event: K,
    listener: (payload: DispatcherEvents[K]) => void,
  ) => {
    dispatcher.on(event, listener);
    offs.push(() => dispatcher.off(event, listener));
  };
  const detach = () => {
    for (const off of offs.splice(0)) off();
  };

  const end = (job: JobDocument, outcome: AttemptSpanOutcome, error?: JobError): Span | undefined => {
    const span = open.get(job.id);
    if (!span) return undefined;
    open.delete(job.id);
    span.setAttribute(ATTR_JOBSERVICE_OUTCOME, outcome);
    if (error) {
      span.recordException({ name: error.name ?? 'JobError', message: error.message, stack: error.stack });
      span.setAttribute(ATTR_ERROR_TYPE, error.name ?? 'JobError');
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    return span;
  };
  const finish = (span: Span | undefined) => {
    span?.end();
    if (removed && open.size === 0) detach();
  };

  on('completed', ({ job }) => finish(end(job, 'completed')));
  on('retrying', ({ job, error, delayMs }) => {
    const span = end(job, 'retried', error);
    span?.setAttribute(ATTR_JOBSERVICE_RETRY_DELAY_MS, delayMs);
    finish(span);
  });
  on('failed', ({ job, error }) => finish(end(job, 'failed', error)));
  on('cancelled', ({ job }) => finish(end(job, 'cancelled')));
  on('released', ({ job }) => finish(end(job, 'released')));
  on('leaseLost', ({ job, reason }) => {
    const span = end(job, 'lease-lost');
    span?.addEvent('lease lost', { reason });
    finish(span);
  });
  on('stopped', () => {
    // Attempts whose settle never landed (a store error) end here rather than leak.
    for (const span of open.values()) {
      span.addEvent('dispatcher stopped before the attempt settled');
      span.end();
    }
    open.clear();
    if (removed) detach();
  });

  const unwrap = dispatcher.wrapAttempts((job, run) => {
    const parent = contextFromCarrier(job.trace);
    const span = tracer.startSpan(
      `process ${job.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
          [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
          [ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [ATTR_MESSAGING_DESTINATION_NAME]: job.name,
          [ATTR_MESSAGING_MESSAGE_ID]: job.id,
          [ATTR_MESSAGING_CLIENT_ID]: workerId,
          [ATTR_JOBSERVICE_ATTEMPT]: job.attempt,
        },
      },
      parent,
    );
    // One attempt of a job at a time per dispatcher: a span still open for this id lost its end event.
    open.get(job.id)?.end();
    open.set(job.id, span);
    context.with(trace.setSpan(parent, span), run);
  });

  return () => {
    if (removed) return;
    removed = true;
    unwrap();
    if (open.size === 0) detach();
  };
}
