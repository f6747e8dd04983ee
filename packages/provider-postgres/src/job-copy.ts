import { pipeline } from 'node:stream/promises';
import type { NewJob } from '@jobservice/core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyInteger, copyRow, copyText } from './copy-text.js';
import * as check from './input-checks.js';
import type { CheckedJob } from './job-columns.js';
import { textArray } from './pg-array.js';
import { READ_CLOCK } from './sql/clock.js';
import { COPY_JOBS, COPY_RELEASE, COPY_SAVEPOINT, COPY_UNDO } from './sql/copy-jobs.js';
import { asProviderError, type Queryable, type SqlRunner } from './sql-runner.js';

/** Where a COPY runs: on a connection of the provider's pool, or on the caller's client inside `BEGIN`. */
export type CopyVia = { pool: pg.Pool } | { transaction: pg.ClientBase };

/**
 * One job as a COPY row without its time columns, encoded (and its JSON
 * checked) before any SQL runs, and what the time columns are made of.
 */
export interface CopyJob {
  /** The encoded fields up to `rate_limit`, tab-joined (see `COPY_JOBS`). */
  head: string;
  runAt: number | null;
  delayMs: number;
}

/** Roughly how much row text is sent per COPY data message. */
const CHUNK_CHARS = 64 * 1024;

/** SQLSTATE `unique_violation`: here, an id that is taken (the COPY path writes no key). */
const UNIQUE_VIOLATION = '23505';

/**
 * The caller's transaction handle as a client a COPY can stream through, or
 * `undefined` for a handle that is only structurally a client (its jobs go
 * through the INSERT).
 */
export function copyClientOf(handle: Queryable): pg.ClientBase | undefined {
  const connection = (handle as { connection?: { sendCopyFail?: unknown } }).connection;
  return typeof connection?.sendCopyFail === 'function' ? (handle as unknown as pg.ClientBase) : undefined;
}

/** Encodes one checked job for `COPY_JOBS`; bad JSON is reported at `prefix` + the field, as the INSERT does. */
export function copyJob(c: CheckedJob, job: NewJob, prefix: string): CopyJob {
  const fields = [
    copyText(c.id),
    copyText(c.name),
    c.parents === null ? 'scheduled' : 'waiting',
    copyInteger(c.priority),
    copyInteger(c.maxAttempts),
    copyInteger(c.timeoutMs),
    copyText(c.scheduleId),
    copyText(check.json(job.metadata, `${prefix}metadata`)),
    copyText(check.json(job.backoff, `${prefix}backoff`)),
    copyText(c.traceparent),
    copyText(c.tracestate),
    copyText(c.labels),
    copyText(c.parents === null ? null : textArray(c.parents)),
    copyText(c.onParentFailure),
    copyText(c.concurrencyKey),
    copyInteger(c.concurrencyLimit),
    copyText(c.rateLimit),
  ];
  return { head: fields.join('\t'), runAt: c.runAt, delayMs: c.delayMs };
}

/**
 * Writes `jobs` (distinct ids, no keys) with one `COPY … FROM STDIN`, stamped
 * with the store's clock read just before. One statement, so all or nothing;
 * in the caller's transaction, under a savepoint. Resolves `true` once
 * written, `false` when an id was taken (nothing written; the caller inserts
 * through the statement that skips taken ids); other failures reject.
 */
export async function copyJobs(via: CopyVia, sql: SqlRunner, jobs: readonly CopyJob[]): Promise<boolean> {
  if ('transaction' in via) return copyInTransaction(via.transaction, sql, jobs);
  let client: pg.PoolClient;
  try {
    client = await via.pool.connect();
  } catch (error) {
    throw asProviderError(error, 'insertMany: connect');
  }
  let broken: Error | undefined;
  try {
    return await copyOnce(client, sql, jobs);
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection whose COPY failed in an unknown state is closed, not reused.
    client.release(broken);
  }
}

async function copyInTransaction(client: pg.ClientBase, sql: SqlRunner, jobs: readonly CopyJob[]) {
  await sql.run(client, COPY_SAVEPOINT, [], 'insertMany: savepoint');
  const copied = await copyOnce(client, sql, jobs);
  await sql.run(client, copied ? COPY_RELEASE : COPY_UNDO, [], 'insertMany: savepoint');
  return copied;
}

/** Reads the clock, streams the rows; `false` on a taken id. */
async function copyOnce(client: pg.ClientBase, sql: SqlRunner, jobs: readonly CopyJob[]): Promise<boolean> {
  const { rows } = await sql.run<{ now: string }>(client, READ_CLOCK, [], 'insertMany: clock');
  const now = Number(rows[0]?.now);
  try {
    await pipeline(chunks(jobs, now), client.query(copyFrom(sql.render(COPY_JOBS.text))));
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return false;
    throw asProviderError(error, 'insertMany');
  }
}

/** The rows with their time columns, in chunks of about {@link CHUNK_CHARS}. */
function* chunks(jobs: readonly CopyJob[], now: number): Generator<string> {
  const stamp = `\t${now}\t${now}`;
  let chunk = '';
  for (const job of jobs) {
    chunk += copyRow([job.head, runAt(job, now) + stamp]);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** `run_at`: the job's own, else now + its delay (exact past 2^53, as the INSERT's bigint sum). */
function runAt(job: CopyJob, now: number): string {
  if (job.runAt !== null) return String(job.runAt);
  const sum = now + job.delayMs;
  return Number.isSafeInteger(sum) ? String(sum) : (BigInt(now) + BigInt(job.delayMs)).toString();
}
