import type { JsonValue } from '../model/json.js';

/** What a callback's `execute` returns. */
export type JobExecutionResult<TResult extends JsonValue | undefined = JsonValue | undefined> =
  | { readonly kind: 'success'; readonly output: TResult }
  | { readonly kind: 'retry'; readonly delayMs: number | undefined; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/** Options for {@link JobExecutionResult.retry}. */
export interface RetryRequest {
  /** Run again after this long; the job's backoff policy decides when absent. */
  delayMs?: number;
  /** Why, stored as the job's error. */
  reason?: string;
}

/**
 * Builders for a callback's result.
 *
 * @example
 * return JobExecutionResult.success({ sent: 3 });
 * return JobExecutionResult.retry({ delayMs: 30_000, reason: 'mailbox busy' });
 * return JobExecutionResult.fail('address rejected');
 */
export const JobExecutionResult = {
  /** The job completed; `output` is stored as its result. */
  success<TResult extends JsonValue | undefined = undefined>(output?: TResult): JobExecutionResult<TResult> {
    return { kind: 'success', output: output as TResult };
  },
  /** Try again (while attempts remain), after `delayMs` or the backoff policy's delay. */
  retry(request: RetryRequest = {}): JobExecutionResult<never> {
    return { kind: 'retry', delayMs: request.delayMs, reason: request.reason ?? 'retry requested' };
  },
  /** Fail now, with no further attempts. */
  fail(reason: string): JobExecutionResult<never> {
    return { kind: 'fail', reason };
  },
};
