import {
  checkConcurrencyLimit,
  checkFlowKey,
  checkLabels,
  checkRateLimit,
  checkTraceCarrier,
  type InsertResult,
  InvalidInputError,
  type NewJob,
} from '@jobservice/core';
import * as check from './input-checks.js';
import { numberArray, textArray } from './pg-array.js';
import { FIND_JOBS_BY_KEYS } from './sql/find-jobs-by-keys.js';
import { INSERT_JOB, INSERT_JOB_AND_RING } from './sql/insert-job.js';
import { INSERT_JOBS } from './sql/insert-jobs.js';
import type { Queryable, SqlRunner } from './sql-runner.js';

/** A NewJob's columns checked for the insert statements (JSON fields apart). */
interface CheckedJob {
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
function checkNewJob(job: NewJob, prefix: string): CheckedJob {
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

/** A NOTIFY sent by the insert statement itself when the job is created. */
export interface InsertRing {
  channel: string;
  payload: string;
}

/** Inserts one job (or finds the holder of its key) in one statement, ringing `ring` if it is created. */
export async function insertJob(
  db: Queryable,
  sql: SqlRunner,
  job: NewJob,
  ring?: InsertRing,
): Promise<InsertResult> {
  const c = checkNewJob(job, '');
  const metadata = check.json(job.metadata, 'metadata');
  const backoff = check.json(job.backoff, 'backoff');
  const { rows } = await sql.run<{ id: string; created: boolean }>(
    db,
    ring ? INSERT_JOB_AND_RING : INSERT_JOB,
    [
      c.id,
      c.name,
      c.priority,
      c.maxAttempts,
      c.runAt,
      c.delayMs,
      c.timeoutMs,
      c.key,
      c.scheduleId,
      metadata,
      backoff,
      c.traceparent,
      c.tracestate,
      c.labels,
      c.parents === null ? null : textArray(c.parents),
      c.onParentFailure,
      c.concurrencyKey,
      c.concurrencyLimit,
      c.rateLimit,
      ...(ring ? [ring.channel, ring.payload] : []),
    ],
    'insert',
  );
  const row = rows[0];
  if (row) return { id: row.id, created: row.created };
  // The id was taken, or the key's holder committed after this statement's snapshot.
  const holder = c.key === null ? undefined : (await findHolders(db, sql, [c.key])).get(c.key);
  return { id: holder ?? c.id, created: false };
}

/**
 * Inserts many jobs in one statement: per-item `{ id, created }` in order;
 * idempotency keys honoured across the store and inside the batch (the
 * first wins); an id repeated inside the batch is created once.
 */
export async function insertJobs(
  db: Queryable,
  sql: SqlRunner,
  jobs: readonly NewJob[],
): Promise<InsertResult[]> {
  if (!Array.isArray(jobs)) throw new InvalidInputError('jobs', 'must be an array of jobs');
  const checked = jobs.map((job, i) => checkNewJob(job, `jobs[${i}].`));
  const firstOfId = new Map<string, number>();
  const unique: number[] = [];
  for (const [i, c] of checked.entries()) {
    if (!firstOfId.has(c.id)) {
      firstOfId.set(c.id, i);
      unique.push(i);
    }
  }
  const pick = <T>(get: (i: number) => T) => unique.map(get);
  const field = <K extends keyof CheckedJob>(k: K) => pick((i) => (checked[i] as CheckedJob)[k]);
  const { rows } = await sql.run<{ id: string }>(
    db,
    INSERT_JOBS,
    [
      textArray(field('id')),
      textArray(field('name')),
      numberArray(field('priority')),
      numberArray(field('maxAttempts')),
      numberArray(field('runAt')),
      numberArray(field('delayMs')),
      numberArray(field('timeoutMs')),
      textArray(field('key')),
      textArray(field('scheduleId')),
      jsonArray(
        pick((i) => jobs[i]?.metadata),
        'metadata',
        unique,
      ),
      jsonArray(
        pick((i) => jobs[i]?.backoff),
        'backoff',
        unique,
      ),
      textArray(field('traceparent')),
      textArray(field('tracestate')),
      `[${field('labels')
        .map((l) => l ?? 'null')
        .join(',')}]`,
      JSON.stringify(field('parents')),
      textArray(field('onParentFailure')),
      textArray(field('concurrencyKey')),
      numberArray(field('concurrencyLimit')),
      `[${field('rateLimit')
        .map((l) => l ?? 'null')
        .join(',')}]`,
    ],
    'insertMany',
  );
  const created = new Set(rows.map((r) => r.id));
  const isCreated = (c: CheckedJob, i: number) => firstOfId.get(c.id) === i && created.has(c.id);
  // Keys that were taken (before, or earlier in this batch): one look for their holders.
  const taken = checked.filter((c, i) => !isCreated(c, i) && c.key !== null).map((c) => c.key as string);
  const holders = taken.length > 0 ? await findHolders(db, sql, [...new Set(taken)]) : new Map();
  return checked.map((c, i) => {
    if (isCreated(c, i)) return { id: c.id, created: true };
    return { id: (c.key !== null && holders.get(c.key)) || c.id, created: false };
  });
}

/** One JSON array for a jsonb column of the batch; a NUL is reported at its job's field. */
function jsonArray(values: unknown[], name: string, indexes: number[]): string {
  values.forEach((value, k) => {
    if (value === undefined)
      throw new InvalidInputError(`jobs[${indexes[k]}].${name}`, 'must be a JSON value');
  });
  const encoded = JSON.stringify(values);
  if (encoded.includes('\\u0000')) {
    for (const [k, value] of values.entries()) check.json(value, `jobs[${indexes[k]}].${name}`);
  }
  return encoded;
}

async function findHolders(db: Queryable, sql: SqlRunner, keys: string[]): Promise<Map<string, string>> {
  const { rows } = await sql.run<{ id: string; key: string }>(
    db,
    FIND_JOBS_BY_KEYS,
    [textArray(keys)],
    'insert: find key',
  );
  return new Map(rows.map((r) => [r.key, r.id]));
}
