import { type InsertResult, InvalidInputError, type NewJob } from '@jobservice/core';
import * as check from './input-checks.js';
import { type CheckedJob, checkNewJob } from './job-columns.js';
import { type CopyVia, copyJob, copyJobs } from './job-copy.js';
import { numberArray, textArray } from './pg-array.js';
import { FIND_JOBS_BY_KEYS } from './sql/find-jobs-by-keys.js';
import { INSERT_JOB, INSERT_JOB_AND_RING } from './sql/insert-job.js';
import { INSERT_JOBS } from './sql/insert-jobs.js';
import type { Queryable, SqlRunner } from './sql-runner.js';

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

/** When `insertJobs` may write with COPY: batches of at least `minJobs` jobs, through `via`. */
export interface BulkCopy {
  minJobs: number;
  via: CopyVia;
}

/**
 * Inserts many jobs in one statement: per-item `{ id, created }` in order;
 * idempotency keys honoured across the store and inside the batch (the
 * first wins); an id repeated inside the batch is created once. With
 * `copy`, a batch of at least `copy.minJobs` distinct jobs none of which has
 * a key is streamed with one `COPY` instead (same rows, same results); if
 * one of its ids is taken, the COPY writes nothing and the INSERT runs.
 */
export async function insertJobs(
  db: Queryable,
  sql: SqlRunner,
  jobs: readonly NewJob[],
  copy?: BulkCopy,
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
  let created: Set<string> | undefined;
  if (copy && unique.length >= copy.minJobs && checked.every((c) => c.key === null)) {
    const rows = unique.map((i) => copyJob(checked[i] as CheckedJob, jobs[i] as NewJob, `jobs[${i}].`));
    if (await copyJobs(copy.via, sql, rows))
      created = new Set(unique.map((i) => (checked[i] as CheckedJob).id));
  }
  created ??= await insertByUnnest(db, sql, jobs, checked, unique);
  const isCreated = (c: CheckedJob, i: number) =>
    firstOfId.get(c.id) === i && (created as Set<string>).has(c.id);
  // Keys that were taken (before, or earlier in this batch): one look for their holders.
  const taken = checked.filter((c, i) => !isCreated(c, i) && c.key !== null).map((c) => c.key as string);
  const holders = taken.length > 0 ? await findHolders(db, sql, [...new Set(taken)]) : new Map();
  return checked.map((c, i) => {
    if (isCreated(c, i)) return { id: c.id, created: true };
    return { id: (c.key !== null && holders.get(c.key)) || c.id, created: false };
  });
}

/** `INSERT_JOBS` for the jobs at `unique` (distinct ids); resolves with the ids it created. */
async function insertByUnnest(
  db: Queryable,
  sql: SqlRunner,
  jobs: readonly NewJob[],
  checked: readonly CheckedJob[],
  unique: readonly number[],
): Promise<Set<string>> {
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
  return new Set(rows.map((r) => r.id));
}

/** One JSON array for a jsonb column of the batch; a NUL is reported at its job's field. */
function jsonArray(values: unknown[], name: string, indexes: readonly number[]): string {
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
