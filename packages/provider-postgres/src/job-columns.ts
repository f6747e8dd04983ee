import {
  checkConcurrencyLimit,
  checkFlowKey,
  checkLabels,
  checkRateLimit,
  checkTraceCarrier,
  InvalidInputError,
  type NewJob,
} from '@jobservice/core';
import * as check from './input-checks.js';

/** A NewJob's columns checked for the insert statements (JSON fields apart). */
export interface CheckedJob {
  id: string;
  name: string;
  priority: number;
  maxAttempts: number;
  runAt: number | null;
  delayMs: number;
  timeoutMs: number | null;
  key: string | null;
  scheduleId: string | null;
  traceparent: string | null;
  tracestate: string | null;
  /** The labels as JSON text, `null` for none. */
  labels: string | null;
  /** The parents, `null` for none (then inserted `scheduled`, else `waiting`). */
  parents: string[] | null;
  /** `null` for the default (`cancel`). */
  onParentFailure: string | null;
  /** The concurrency key, `null` for none. */
  concurrencyKey: string | null;
  /** With a key: its limit (default 1); `null` without. */
  concurrencyLimit: number | null;
  /** The rate limit as JSON text, `null` for none. */
  rateLimit: string | null;
}

/** Checks a NewJob's scalar fields (naming the field, `prefix` first). Nothing is written on failure. */
export function checkNewJob(job: NewJob, prefix: string): CheckedJob {
  if (job === null || typeof job !== 'object') {
    throw new InvalidInputError(prefix.replace(/\.$/, '') || 'job', 'must be a job object');
  }
  const id = check.text(job.id, `${prefix}id`);
  const name = check.text(job.name, `${prefix}name`);
  if (id.length === 0) throw new InvalidInputError(`${prefix}id`, 'must not be empty');
  if (name.length === 0) throw new InvalidInputError(`${prefix}name`, 'must not be empty');
  return {
    id,
    name,
    priority: check.int4(job.priority, `${prefix}priority`),
    maxAttempts: check.int4(job.maxAttempts, `${prefix}maxAttempts`),
    runAt: check.int8OrNull(job.runAt, `${prefix}runAt`),
    delayMs: check.int8(job.delayMs ?? 0, `${prefix}delayMs`),
    timeoutMs: check.int8OrNull(job.timeoutMs, `${prefix}timeoutMs`),
    key: check.textOrNull(job.key, `${prefix}key`),
    scheduleId: check.textOrNull(job.scheduleId, `${prefix}scheduleId`),
    ...traceColumns(job.trace, `${prefix}trace`),
    labels: labelsColumn(job.labels, `${prefix}labels`),
    ...parentColumns(job, prefix),
    ...flowColumns(job, prefix),
  };
}

/** The job's flow control, checked like an enqueue's; `null`s for none. */
function flowColumns(
  job: NewJob,
  prefix: string,
): Pick<CheckedJob, 'concurrencyKey' | 'concurrencyLimit' | 'rateLimit'> {
  const key =
    job.concurrencyKey === undefined || job.concurrencyKey === null
      ? null
      : checkFlowKey(job.concurrencyKey, `${prefix}concurrencyKey`);
  let limit: number | null = null;
  if (key !== null) {
    limit =
      job.concurrencyLimit === undefined || job.concurrencyLimit === null
        ? 1
        : checkConcurrencyLimit(job.concurrencyLimit, `${prefix}concurrencyLimit`);
  }
  const rate =
    job.rateLimit === undefined || job.rateLimit === null
      ? null
      : JSON.stringify(checkRateLimit(job.rateLimit, `${prefix}rateLimit`));
  return { concurrencyKey: key, concurrencyLimit: limit, rateLimit: rate };
}

/** A continuation's parents and policy, checked; `null`s for a job without parents. */
function parentColumns(job: NewJob, prefix: string): Pick<CheckedJob, 'parents' | 'onParentFailure'> {
  const parents = job.parents;
  if (parents === undefined || parents === null || (Array.isArray(parents) && parents.length === 0)) {
    return { parents: null, onParentFailure: null };
  }
  if (!Array.isArray(parents)) throw new InvalidInputError(`${prefix}parents`, 'must be an array of job ids');
  const ids = parents.map((id, i) => check.text(id, `${prefix}parents[${i}]`));
  const policy = job.onParentFailure ?? 'cancel';
  if (policy !== 'cancel' && policy !== 'run') {
    throw new InvalidInputError(
      `${prefix}onParentFailure`,
      `must be 'cancel' or 'run', got ${String(policy)}`,
    );
  }
  return { parents: ids, onParentFailure: policy === 'cancel' ? null : policy };
}

/** The trace carrier as its two columns, checked like an enqueue's. */
function traceColumns(trace: unknown, field: string): Pick<CheckedJob, 'traceparent' | 'tracestate'> {
  const carrier = checkTraceCarrier(trace, field);
  return { traceparent: carrier?.traceparent ?? null, tracestate: carrier?.tracestate ?? null };
}

/** The labels as the `labels` column's JSON, checked like an enqueue's; `null` for none. */
function labelsColumn(labels: unknown, field: string): string | null {
  const checked = checkLabels(labels, field);
  return Object.keys(checked).length === 0 ? null : JSON.stringify(checked);
}
