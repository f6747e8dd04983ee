import { type JobDispatcher, type JobManager, observeJobMetrics } from '@jobservice/core';
import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './attributes.js';
import { instrumentAttempts } from './consumer.js';
import { observeJobCounts } from './job-count-gauge.js';
import { jobMetricsSink } from './metrics-sink.js';
import { instrumentEnqueue } from './producer.js';

/** What {@link instrument} instruments, and with which providers. */
export interface InstrumentOptions {
  /** Producer spans around its enqueues; the `enqueued` counter and the `jobservice.jobs` gauge. */
  manager?: JobManager;
  /** Consumer spans around its attempts; the attempt counters and duration histograms. */
  dispatcher?: JobDispatcher;
  /** Where spans go. @default the global tracer provider (a no-op until an SDK registers one) */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider (a no-op until an SDK registers one) */
  meterProvider?: MeterProvider;
  /** Record traces. @default true */
  traces?: boolean;
  /** Record metrics (counters, histograms, the gauge). @default true */
  metrics?: boolean;
}

/**
 * Instruments a manager and/or a dispatcher with OpenTelemetry: a PRODUCER
 * span per enqueue call whose context every job carries (W3C
 * `traceparent`), a CONSUMER span per attempt continuing that trace, and the
 * jobservice metrics. Uses `@opentelemetry/api` only: without an SDK it
 * records nothing. Nothing runs until it is called; the returned function
 * removes everything it added (attempt spans already open still end).
 *
 * @example
 * const stop = instrument({ manager, dispatcher, tracerProvider, meterProvider });
 * // … later
 * stop();
 */
export function instrument(options: InstrumentOptions = {}): () => void {
  const { manager, dispatcher } = options;
  const removers: Array<() => void> = [];
  if (options.traces !== false && (manager || dispatcher)) {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    );
    if (manager) removers.push(instrumentEnqueue(manager, tracer));
    if (dispatcher) removers.push(instrumentAttempts(dispatcher, tracer));
  }
  if (options.metrics !== false && (manager || dispatcher)) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    );
    removers.push(observeJobMetrics({ manager, dispatcher }, jobMetricsSink(meter)));
    if (manager) removers.push(observeJobCounts(manager, meter));
  }
  return () => {
    for (const remove of removers.splice(0).reverse()) remove();
  };
}
