/**
 * The attribute names and values jobservice spans and metrics carry, after
 * the OpenTelemetry messaging semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/) where one fits,
 * `jobservice.*` where none does. Plain strings, so nothing depends on
 * `@opentelemetry/semantic-conventions`.
 */

/** The instrumentation scope name of every tracer and meter this package makes. */
export const INSTRUMENTATION_NAME = '@jobservice/opentelemetry';

/** The instrumentation scope version (this package's version). */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** `messaging.system`: always {@link MESSAGING_SYSTEM}. */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
/** `messaging.operation.type`: `send` (producer) or `process` (consumer). */
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
/** `messaging.operation.name`: `send` or `process`, as in the span name. */
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
/** `messaging.destination.name`: the callback (job) name. */
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
/** `messaging.message.id`: the job id. */
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
/** `messaging.batch.message_count`: jobs in one `enqueueMany` of more than one job. */
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
/** `messaging.client.id`: the dispatcher's worker id. */
export const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id';
/** `error.type`: the error's name, on failed and retried attempts and failed enqueues. */
export const ATTR_ERROR_TYPE = 'error.type';

/** `jobservice.attempt`: the attempt number, 1-based. */
export const ATTR_JOBSERVICE_ATTEMPT = 'jobservice.attempt';
/** `jobservice.outcome`: how an attempt ended, see {@link AttemptSpanOutcome}. */
export const ATTR_JOBSERVICE_OUTCOME = 'jobservice.outcome';
/** `jobservice.retry_delay_ms`: on a retried attempt, the delay before the next one. */
export const ATTR_JOBSERVICE_RETRY_DELAY_MS = 'jobservice.retry_delay_ms';
/** `jobservice.created`: on a single-job producer span, false when an idempotency key found an existing job. */
export const ATTR_JOBSERVICE_CREATED = 'jobservice.created';
/** `jobservice.created_count`: on a batch producer span, how many jobs were new. */
export const ATTR_JOBSERVICE_CREATED_COUNT = 'jobservice.created_count';
/** `jobservice.job.status`: the status label of the `jobservice.jobs` gauge. */
export const ATTR_JOBSERVICE_JOB_STATUS = 'jobservice.job.status';

/** The `messaging.system` value. */
export const MESSAGING_SYSTEM = 'jobservice';

/**
 * How an attempt's consumer span ended (`jobservice.outcome`):
 * `completed`, `retried` and `failed` after the dispatcher's `completed`,
 * `retrying` and `failed` events; `cancelled`; `released` (handed back at
 * shutdown, attempt not counted); `lease-lost` (this worker lost the lease
 * and did not settle).
 */
export type AttemptSpanOutcome = 'completed' | 'retried' | 'failed' | 'cancelled' | 'released' | 'lease-lost';
