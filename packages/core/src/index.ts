/**
 * @jobservice/core: background jobs for TypeScript with pluggable stores and
 * queues. The store is the ledger; the queue is the doorbell.
 */
export type { Backoff, BackoffFunction } from './callbacks/backoff.js';
export { computeBackoffDelay, DEFAULT_BACKOFF } from './callbacks/backoff.js';
export type {
  AnyJobCallback,
  JobCallbackClass,
  JobContext,
  MetadataOf,
  ResultOf,
} from './callbacks/base-job-callback.js';
export { BaseJobCallback } from './callbacks/base-job-callback.js';
export type { CallbackFactory } from './callbacks/callback-registry.js';
export { CallbackRegistry, defaultCallbackFactory } from './callbacks/callback-registry.js';
export { getJobName, JobCallbackName } from './callbacks/job-callback-name.js';
export type { RetryRequest } from './callbacks/job-execution-result.js';
export { JobExecutionResult } from './callbacks/job-execution-result.js';
export { assertJobName, JOB_NAME_PATTERN, RESERVED_PREFIX } from './callbacks/job-name.js';
export type {
  MetadataIssue,
  SchemaInput,
  SchemaOutput,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from './callbacks/standard-schema.js';
export { isStandardSchema, MetadataValidationError, validateMetadata } from './callbacks/standard-schema.js';
export type { AbortCause } from './dispatcher/abort-reasons.js';
export { JobAbortedError } from './dispatcher/abort-reasons.js';
export type { AttemptWrapper } from './dispatcher/attempt-wrappers.js';
export type { DispatcherEvents } from './dispatcher/dispatcher-events.js';
export type { JobDispatcherOptions, ResolvedDispatcherOptions } from './dispatcher/dispatcher-options.js';
export type { DispatcherState, StopOptions } from './dispatcher/job-dispatcher.js';
export { JobDispatcher } from './dispatcher/job-dispatcher.js';
export type { JobServiceErrorCode } from './errors.js';
export {
  hasErrorCode,
  InvalidInputError,
  JobFailedError,
  JobServiceError,
  LeaseLostError,
  NotFoundError,
  PermanentJobError,
  ProviderError,
  ShutdownError,
} from './errors.js';
export type { ParentOutcome } from './flow/continuation-options.js';
export { MAX_PARENTS, parentOutcome } from './flow/continuation-options.js';
export type { FlowNode, FlowSpec } from './flow/flow-plan.js';
export { MAX_FLOW_NODES } from './flow/flow-plan.js';
export type { ReleaseDecision } from './flow/release-children.js';
export { releaseDecision, releasePatch } from './flow/release-children.js';
export type { EnqueueOptions, JobDefaults } from './manager/enqueue-options.js';
export type { EnqueueWrapper } from './manager/enqueue-wrappers.js';
export type {
  CancelOutcome,
  EnqueueItem,
  EnqueueResult,
  GetOptions,
  JobManagerOptions,
} from './manager/job-manager.js';
export { JobManager } from './manager/job-manager.js';
export type { WaitForOptions } from './manager/wait-for.js';
export type { MemoryDocumentProviderOptions } from './memory/memory-document-provider.js';
export { MemoryDocumentProvider } from './memory/memory-document-provider.js';
export { DEFAULT_PAGE_SIZE, matchesQuery, pageOf } from './memory/query-match.js';
export type {
  AttemptOutcome,
  JobCounter,
  JobHistogram,
  JobMetricLabels,
  JobMetricsSink,
  JobMetricsSources,
} from './metrics/job-metrics.js';
export { JOB_METRIC_DESCRIPTIONS, observeJobMetrics } from './metrics/job-metrics.js';
export type { RateLimit } from './model/flow-control.js';
export {
  checkConcurrencyLimit,
  checkFlowKey,
  checkRateLimit,
  FLOW_LIMITS,
  rateWindow,
} from './model/flow-control.js';
export { INPUT_LIMITS } from './model/input-limits.js';
export type {
  AttemptRecord,
  HistoryOutcome,
  InsertResult,
  JobDocument,
  JobError,
  JobPatch,
  JobStatus,
  NewJob,
  ParentFailurePolicy,
  StoredBackoff,
} from './model/job.js';
export {
  appendHistory,
  applyJobPatch,
  compareClaimOrder,
  HISTORY_LIMIT,
  isTerminal,
  JOB_STATUSES,
  materializeJob,
  TERMINAL_STATUSES,
} from './model/job.js';
export type { JobLogEntry, JobLogLevel } from './model/job-log.js';
export { appendLogs, JOB_LOG_LEVELS, LOG_LIMITS, makeLogEntry } from './model/job-log.js';
export type { JsonLimits, JsonObject, JsonValue } from './model/json.js';
export { assertJson, unstorableText } from './model/json.js';
export type { JobLabels } from './model/labels.js';
export { checkLabels, hasLabels, LABEL_LIMITS } from './model/labels.js';
export type {
  MisfirePolicy,
  OverlapPolicy,
  ScheduleDocument,
  ScheduledJobOptions,
} from './model/schedule.js';
export type { TraceCarrier } from './model/trace.js';
export { checkTraceCarrier, MAX_TRACESTATE_LENGTH } from './model/trace.js';
export { checkBells, decodeBells, encodeBells, RESYNC_BELL_ID } from './queue/bell-payload.js';
export type { DoorbellHooks } from './queue/local-doorbell.js';
export { LocalDoorbell } from './queue/local-doorbell.js';
export type {
  Bell,
  BellHandler,
  IQueueProvider,
  QueueSubscription,
  RingOptions,
  SubscribeOptions,
} from './queue/queue-provider.js';
export { MIN_EVERY_MS, parseCron, parseEvery } from './scheduling/cron-expression.js';
export { MAX_NEXT_RUNS } from './scheduling/schedule-manager.js';
export type { ScheduleOptions } from './scheduling/schedule-options.js';
export { SCHEDULE_ID_PATTERN } from './scheduling/schedule-options.js';
export { fireKey, SCHEDULE_DOCUMENT_NAME } from './scheduling/schedule-repository.js';
export type { Calendar } from './scheduling/ticks.js';
export { nextTicks } from './scheduling/ticks.js';
export type {
  ClaimRequest,
  FencedWriteResult,
  IDocumentDataProvider,
  JobChange,
  JobCount,
  JobPage,
  JobQuery,
  LeaseExtension,
  LeaseExtensionResult,
  Settlement,
  SettleOutcome,
  Unwatch,
  WatchOptions,
  WriteOptions,
} from './store/document-provider.js';
export {
  addCount,
  claimFallback,
  countJobsFallback,
  extendLeasesFallback,
  insertManyFallback,
  recoverFallback,
  settleFallback,
} from './store/fallbacks.js';
export type { Admission, FlowCounts } from './store/flow-gates.js';
export {
  admitJob,
  checkNameLimits,
  DeferralNote,
  isGated,
  keyGate,
  mayReserve,
  nameGate,
  RateBook,
} from './store/flow-gates.js';
export {
  FLOW_GATE_DOCUMENT_NAME,
  INTERNAL_NAME_PREFIX,
  isInternalDocumentName,
} from './store/flow-ledger.js';
export {
  acceptsSettlement,
  claimAheadCount,
  claimPatch,
  claimStartCount,
  claimStarter,
  endsJob,
  extendPatch,
  holdsLease,
  isClaimable,
  isLeaseExpired,
  mayStartAhead,
  recoverPatch,
  settlePatch,
} from './store/transitions.js';
export type { Clock } from './util/clock.js';
export { abortableDelay, systemClock } from './util/clock.js';
export { Heap } from './util/heap.js';
export type { Logger } from './util/logger.js';
export { consoleLogger, silentLogger } from './util/logger.js';
export { clampTimerDelay, MAX_TIMER_DELAY_MS } from './util/timer-limit.js';
