import {
  type ClaimRequest,
  checkNameLimits,
  claimAheadCount,
  claimStartCount,
  compareClaimOrder,
  endsJob,
  type FencedWriteResult,
  HISTORY_LIMIT,
  InvalidInputError,
  type JobDocument,
  type LeaseExtension,
  type LeaseExtensionResult,
  type Settlement,
} from '@jobservice/core';
import type pg from 'pg';
import { claimWithFlow, type FlowLease } from './flow-claim.js';
import * as check from './input-checks.js';
import { type JobRow, toJobDocument } from './job-row.js';
import { booleanArray, numberArray, textArray } from './pg-array.js';
import { CLAIM_JOBS } from './sql/claim-jobs.js';
import { CLAIM_JOBS_BY_NAME } from './sql/claim-jobs-by-name.js';
import { EXTEND_LEASES } from './sql/extend-leases.js';
import { CLAIM_KEYS_ONLY } from './sql/flow-claim.js';
import { RECOVER_JOBS } from './sql/recover-jobs.js';
import { SETTLE_JOBS } from './sql/settle-jobs.js';
import type { Queryable, SqlRunner } from './sql-runner.js';

const OUTCOMES = new Set(['completed', 'failed', 'cancelled', 'retry', 'release', 'start']);
const MAX_LIMIT = 2 ** 31 - 1;

/** A claim row: a job, or (flagged `flow_pending`, all else null) the mark that gated work is due. */
type ClaimRow = JobRow & { flow_pending?: boolean };

/**
 * Leases up to `limit` due jobs, the first `start` in claim order started,
 * up to `startAhead` more started when they may be (core's
 * `claimStarter`), the rest reserved; returns them in claim order. A claim
 * without name caps is one statement while no gated job is due for its
 * names. Otherwise the flow claim admits plain and gated jobs together
 * by core's `admitJob`: for concurrency keys alone in one round trip
 * (`CLAIM_KEYS_ONLY`), with name caps or rate limits in a transaction
 * (`claimWithFlow`).
 */
export async function claimJobs(
  db: pg.Pool,
  sql: SqlRunner,
  request: ClaimRequest,
  keyed: KeyedNames = new Set(),
): Promise<JobDocument[]> {
  if (request === null || typeof request !== 'object') {
    throw new InvalidInputError('request', 'must be { names, limit, workerId, leaseMs }');
  }
  if (!Array.isArray(request.names)) throw new InvalidInputError('request.names', 'must be an array');
  const names = [...new Set(request.names.map((n, i) => check.text(n, `request.names[${i}]`)))];
  const limit = Math.min(MAX_LIMIT, check.int8(request.limit, 'request.limit'));
  const workerId = check.text(request.workerId, 'request.workerId');
  const leaseMs = check.int8(request.leaseMs, 'request.leaseMs');
  const start = request.start === undefined ? limit : check.int8(request.start, 'request.start');
  if (limit <= 0 || names.length === 0) return [];
  const ahead = request.startAhead === undefined ? 0 : check.int8(request.startAhead, 'request.startAhead');
  const starting = claimStartCount({ ...request, limit, start });
  const startingAhead = Math.min(limit, claimAheadCount({ ...request, startAhead: ahead }));
  const caps = checkNameLimits(request, names);
  const lease = { names, limit, workerId, leaseMs, starting, startingAhead };
  if (caps.size > 0) return sorted(await claimWithFlow(db, sql, request, lease, caps));
  const namesKey = names.join('\u0000');
  if (keyed.has(namesKey)) return claimKeyed(db, sql, request, lease, keyed, namesKey);
  const { rows } =
    names.length === 1
      ? await sql.run<ClaimRow>(
          db,
          CLAIM_JOBS_BY_NAME,
          [names[0], limit, workerId, leaseMs, starting, startingAhead],
          'claim',
        )
      : await sql.run<ClaimRow>(
          db,
          CLAIM_JOBS,
          [textArray(names), limit, workerId, leaseMs, starting, startingAhead],
          'claim',
        );
  if (rows.some((r) => r.flow_pending === true)) return claimKeyed(db, sql, request, lease, keyed, namesKey);
  return sorted(rows);
}

/**
 * The names (joined by NUL) whose last claim leased keyed jobs: their next
 * claim goes straight to the keyed claim, skipping the plain claim's probe.
 */
export type KeyedNames = Set<string>;

/**
 * The flow claim without name caps: in one round trip while only
 * concurrency keys gate the due jobs (`CLAIM_KEYS_ONLY`), else in a
 * transaction (`claimWithFlow`). Remembers in `keyed` whether keyed jobs
 * were leased, so the next claim of these names starts here or with the
 * plain claim.
 */
async function claimKeyed(
  db: pg.Pool,
  sql: SqlRunner,
  request: ClaimRequest,
  lease: FlowLease,
  keyed: KeyedNames,
  namesKey: string,
): Promise<JobDocument[]> {
  const { rows } = await sql.run<JobRow>(
    db,
    CLAIM_KEYS_ONLY,
    [textArray(lease.names), lease.limit, lease.workerId, lease.leaseMs, lease.starting, lease.startingAhead],
    'claim',
  );
  if (rows.some((r) => r.id === null)) {
    keyed.delete(namesKey);
    return sorted(await claimWithFlow(db, sql, request, lease, new Map()));
  }
  if (rows.some((r) => r.concurrency_key !== null)) keyed.add(namesKey);
  else keyed.delete(namesKey);
  return sorted(rows);
}

function sorted(rows: readonly JobRow[]): JobDocument[] {
  return rows.map(toJobDocument).sort(compareClaimOrder);
}

/**
 * Settles a batch in one statement (one more per repeat of an id, in
 * order, so a repeated id behaves as if settled one after the other).
 */
export async function settleJobs(
  db: Queryable,
  sql: SqlRunner,
  settlements: readonly Settlement[],
  finishedChannel: string,
): Promise<FencedWriteResult[]> {
  if (!Array.isArray(settlements)) throw new InvalidInputError('settlements', 'must be an array');
  const encoded = settlements.map((s, i) => encodeSettlement(s, `settlements[${i}]`));
  const ok = new Array<boolean>(settlements.length).fill(false);
  const waiting = new Array<boolean>(settlements.length).fill(false);
  for (const round of rounds(encoded)) {
    const { rows } = await sql.run<{ id: string; children_waiting: boolean }>(
      db,
      SETTLE_JOBS,
      [
        textArray(round.map(({ item }) => item.id)),
        numberArray(round.map(({ item }) => item.leaseToken)),
        textArray(round.map(({ item }) => item.outcome)),
        check.lenientJsonArray(round.map(({ item }) => item.result)),
        check.lenientJsonArray(round.map(({ item }) => item.error)),
        numberArray(round.map(({ item }) => item.delayMs)),
        numberArray(round.map(({ item }) => item.leaseMs)),
        HISTORY_LIMIT,
        finishedChannel,
      ],
      'settle',
    );
    const written = new Map(rows.map((r) => [r.id, r.children_waiting]));
    for (const { item, index } of round) {
      ok[index] = written.has(item.id);
      waiting[index] = written.get(item.id) === true;
    }
  }
  return settlements.map((s, i) =>
    ok[i] && endsJob(s.outcome)
      ? { id: s.id, ok: true, childrenWaiting: waiting[i] as boolean }
      : { id: s.id, ok: ok[i] as boolean },
  );
}

/**
 * Recovers up to `limit` lapsed leases in one statement (core's
 * `recoverPatch`, guarded at write time, skipping rows another session
 * holds); returns the documents after the write, in id order.
 */
export async function recoverJobs(db: Queryable, sql: SqlRunner, limit: number): Promise<JobDocument[]> {
  const max = Math.min(MAX_LIMIT, check.int8(limit, 'limit'));
  if (max <= 0) return [];
  const { rows } = await sql.run<JobRow>(db, RECOVER_JOBS, [max, HISTORY_LIMIT], 'recover');
  return rows.map(toJobDocument).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Heartbeats a batch in one statement (repeats of an id as {@link settleJobs}). */
export async function extendLeases(
  db: Queryable,
  sql: SqlRunner,
  extensions: readonly LeaseExtension[],
): Promise<LeaseExtensionResult[]> {
  if (!Array.isArray(extensions)) throw new InvalidInputError('extensions', 'must be an array');
  const encoded = extensions.map((e, i) => {
    const field = `extensions[${i}]`;
    if (e === null || typeof e !== 'object') throw new InvalidInputError(field, 'must be a lease extension');
    return {
      id: check.text(e.id, `${field}.id`),
      leaseToken: check.int8(e.leaseToken, `${field}.leaseToken`),
      leaseMs: check.int8(e.leaseMs, `${field}.leaseMs`),
      hasProgress: e.progress !== undefined,
      progress: e.progress,
    };
  });
  const results: LeaseExtensionResult[] = extensions.map((e) => ({
    id: e.id,
    ok: false,
    cancelRequested: false,
  }));
  for (const round of rounds(encoded)) {
    const { rows } = await sql.run<{ id: string; cancel_requested: boolean }>(
      db,
      EXTEND_LEASES,
      [
        textArray(round.map(({ item }) => item.id)),
        numberArray(round.map(({ item }) => item.leaseToken)),
        numberArray(round.map(({ item }) => item.leaseMs)),
        check.lenientJsonArray(round.map(({ item }) => item.progress)),
        booleanArray(round.map(({ item }) => item.hasProgress)),
      ],
      'extendLeases',
    );
    const written = new Map(rows.map((r) => [r.id, r.cancel_requested]));
    for (const { item, index } of round) {
      const cancelRequested = written.get(item.id);
      if (cancelRequested !== undefined) results[index] = { id: item.id, ok: true, cancelRequested };
    }
  }
  return results;
}

interface EncodedSettlement {
  id: string;
  leaseToken: number;
  outcome: string;
  result: unknown;
  error: unknown;
  delayMs: number;
  leaseMs: number;
}

function encodeSettlement(s: Settlement, field: string): EncodedSettlement {
  if (s === null || typeof s !== 'object') throw new InvalidInputError(field, 'must be a settlement');
  if (!OUTCOMES.has(s.outcome)) {
    throw new InvalidInputError(
      `${field}.outcome`,
      `must be one of ${[...OUTCOMES].join(', ')}, got ${String(s.outcome)}`,
    );
  }
  return {
    id: check.text(s.id, `${field}.id`),
    leaseToken: check.int8(s.leaseToken, `${field}.leaseToken`),
    outcome: s.outcome,
    result: s.outcome === 'completed' ? s.result : null,
    error: 'error' in s ? s.error : null,
    delayMs: s.outcome === 'retry' ? check.int8(s.delayMs, `${field}.delayMs`) : 0,
    leaseMs: s.outcome === 'start' ? check.int8(s.leaseMs, `${field}.leaseMs`) : 0,
  };
}

/** Splits items into rounds in which each id appears once, keeping their order and indexes. */
function rounds<T extends { id: string }>(items: readonly T[]): Array<Array<{ item: T; index: number }>> {
  const out: Array<Array<{ item: T; index: number }>> = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const round = seen.get(item.id) ?? 0;
    seen.set(item.id, round + 1);
    const bucket = out[round] ?? [];
    bucket.push({ item, index });
    out[round] = bucket;
  });
  return out;
}
