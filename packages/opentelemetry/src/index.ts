/**
 * @jobservice/opentelemetry: OpenTelemetry traces and metrics for
 * jobservice, on `@opentelemetry/api` only. A producer span per enqueue, a
 * consumer span per attempt, one trace from the code that enqueued a job to
 * every attempt that ran it, in whatever process.
 */
export type { AttemptSpanOutcome } from './attributes.js';
export {
  ATTR_ERROR_TYPE,
  ATTR_JOBSERVICE_ATTEMPT,
  ATTR_JOBSERVICE_CREATED,
  ATTR_JOBSERVICE_CREATED_COUNT,
  ATTR_JOBSERVICE_JOB_STATUS,
  ATTR_JOBSERVICE_OUTCOME,
  ATTR_JOBSERVICE_RETRY_DELAY_MS,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  MESSAGING_SYSTEM,
} from './attributes.js';
export { instrumentAttempts } from './consumer.js';
export type { InstrumentOptions } from './instrument.js';
export { instrument } from './instrument.js';
export { JOB_COUNT_GAUGE_NAME, observeJobCounts } from './job-count-gauge.js';
export {
  COUNTER_METRIC_NAMES,
  DURATION_BUCKETS_SECONDS,
  HISTOGRAM_METRIC_NAMES,
  jobMetricsSink,
} from './metrics-sink.js';
export { instrumentEnqueue } from './producer.js';
export {
  activeTraceCarrier,
  contextFromCarrier,
  formatTraceCarrier,
  parseTraceCarrier,
} from './trace-carrier.js';
