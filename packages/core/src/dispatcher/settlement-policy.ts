import { computeBackoffDelay } from '../callbacks/backoff.js';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import { hasErrorCode } from '../errors.js';
import type { JobDocument, JobError } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { SettleOutcome } from '../store/document-provider.js';
import { type AttemptEnd, toJobError } from './attempt.js';

/** What the dispatcher writes for an ended attempt, and the event it then emits. */
export type SettlementDecision =
  | { event: 'completed'; outcome: SettleOutcome; result: JsonValue | null }
  | { event: 'retrying'; outcome: SettleOutcome; error: JobError; delayMs: number }
  | { event: 'failed'; outcome: SettleOutcome; error: JobError }
  | { event: 'cancelled'; outcome: SettleOutcome }
  | { event: 'released'; outcome: SettleOutcome }
  /** The lease is gone: write nothing. */
  | { event: 'leaseLost'; reason: string };

/**
 * The job's policy applied to how an attempt ended: success completes; a
 * retry or a thrown error retries while attempts remain (after the requested
 * delay or the backoff); `fail` and `PermanentJobError` fail at once;
 * cancellation cancels; shutdown releases; a lost lease writes nothing.
 */
export function decideSettlement(
  job: JobDocument,
  end: AttemptEnd,
  callback?: JobCallbackClass,
): SettlementDecision {
  if (end.kind === 'aborted') {
    switch (end.cause) {
      case 'cancelled':
        return { event: 'cancelled', outcome: { outcome: 'cancelled', error: { message: 'cancelled' } } };
      case 'shutdown':
        return { event: 'released', outcome: { outcome: 'release' } };
      case 'lease-lost':
        return { event: 'leaseLost', reason: end.reason.message };
      case 'timeout':
        return retryOrFail(job, toJobError(end.reason), undefined, end.reason, callback);
    }
  }
  if (end.kind === 'threw') {
    const error = toJobError(end.error);
    if (hasErrorCode(end.error, 'PERMANENT')) {
      return { event: 'failed', outcome: { outcome: 'failed', error }, error };
    }
    return retryOrFail(job, error, undefined, end.error, callback);
  }
  const result = end.result;
  switch (result.kind) {
    case 'success': {
      const output = result.output === undefined ? null : (result.output as JsonValue);
      return { event: 'completed', outcome: { outcome: 'completed', result: output }, result: output };
    }
    case 'fail': {
      const error = toJobError(String(result.reason));
      return { event: 'failed', outcome: { outcome: 'failed', error }, error };
    }
    case 'retry':
      return retryOrFail(job, toJobError(String(result.reason)), result.delayMs, undefined, callback);
  }
}

function retryOrFail(
  job: JobDocument,
  error: JobError,
  requestedDelayMs: number | undefined,
  cause: unknown,
  callback: JobCallbackClass | undefined,
): SettlementDecision {
  if (job.attempt >= job.maxAttempts) {
    const final = { ...error, message: `${error.message} (attempt ${job.attempt} of ${job.maxAttempts})` };
    return { event: 'failed', outcome: { outcome: 'failed', error: final }, error: final };
  }
  const custom = typeof callback?.backoff === 'function' ? callback.backoff : undefined;
  const delayMs = requestedDelayMs ?? computeBackoffDelay(job.backoff, job.attempt, cause, custom);
  return { event: 'retrying', outcome: { outcome: 'retry', delayMs, error }, error, delayMs };
}
