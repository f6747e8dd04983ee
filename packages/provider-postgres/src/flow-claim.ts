/**
 * The flow-controlled claim: core's admission rule (`admitJob`) applied to
 * plain and gated candidates together, in claim order, inside one READ
 * COMMITTED transaction that holds the row lock of every gate it decides
 * on. A gate's running jobs are counted after its lock is taken (each
 * statement reads a fresh snapshot), so the count includes every claim
 * that held the gate before, and no other claim can admit a job of that
 * gate until this one commits: two workers in any processes never exceed
 * a key's limit, a name's cap or a rate window. See `sql/flow-claim.ts`.
 */
import {
  admitJob,
  type ClaimRequest,
  DeferralNote,
  type FlowCounts,
  isGated,
  keyGate,
  mayReserve,
  nameGate,
  type RateLimit,
  rateWindow,
} from '@jobservice/core';
import type pg from 'pg';
import type { JobRow } from './job-row.js';
import { numberArray, textArray } from './pg-array.js';
import * as q from './sql/flow-claim.js';
import { asProviderError, type SqlRunner } from './sql-runner.js';

/** Most gated candidates one claim looks at. */
const MAX_GATED_PAGE = 500;

/** A candidate as the flow claim reads it. */
interface Candidate {
  id: string;
  name: string;
  priority: number;
  runAt: number;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  rateLimit: RateLimit | null;
}

type CandidateRow = Pick<
  JobRow,
  'id' | 'name' | 'priority' | 'run_at' | 'concurrency_key' | 'concurrency_limit' | 'rate_limit'
>;

/** What the lease needs besides the admitted ids (already checked by the caller). */
export interface FlowLease {
  names: string[];
  limit: number;
  workerId: string;
  leaseMs: number;
  starting: number;
  startingAhead: number;
}

/** Runs the flow claim on a connection of `pool`; returns the leased rows (any order). */
export async function claimWithFlow(
  pool: pg.Pool,
  sql: SqlRunner,
  request: ClaimRequest,
  lease: FlowLease,
  caps: Map<string, number>,
): Promise<JobRow[]> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw asProviderError(error, 'claim: connect');
  }
  try {
    await sql.run(client, q.BEGIN, [], 'claim: begin');
    const deferrals = new DeferralNote();
    const rows = await flowClaim(client, sql, request, lease, caps, deferrals);
    await sql.run(client, q.COMMIT, [], 'claim: commit');
    deferrals.report(request);
    return rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function flowClaim(
  db: pg.PoolClient,
  sql: SqlRunner,
  request: ClaimRequest,
  lease: FlowLease,
  caps: Map<string, number>,
  deferrals: DeferralNote,
): Promise<JobRow[]> {
  // Phase 1: the name caps.
  const capped = [...caps.keys()];
  let now = await lockGates(db, sql, capped.map(nameGate));
  const byName = await holders(db, sql, q.COUNT_NAME_HOLDERS, capped);
  const open = lease.names.filter((n) => !caps.has(n) || (caps.get(n) as number) > (byName.get(n) ?? 0));
  if (open.length === 0) return [];

  // Candidates: gated jobs, and plain ones (a capped name's at most its room).
  const want = lease.limit;
  const freed = (await sql.run<{ key: string }>(db, q.FREED_KEYS, [textArray(open)], 'claim: freed keys'))
    .rows;
  const gated = await candidates(db, sql, q.GATED_CANDIDATES, [
    textArray(open),
    Math.min(MAX_GATED_PAGE, want * 2 + 32),
    now,
  ]);
  const room = (n: string) => Math.min(want, (caps.get(n) ?? want) - (byName.get(n) ?? 0));
  const plain = await candidates(db, sql, q.PLAIN_CANDIDATES, [
    textArray(open),
    numberArray(open.map(room)),
    now,
    want,
  ]);

  // Phase 2: the keys (of the candidates and of the freed notes), then wake-ups.
  const keys = unique([...gated.flatMap((c) => c.concurrencyKey ?? []), ...freed.map((f) => f.key)]);
  if (keys.length > 0) now = Math.max(now, await lockGates(db, sql, keys.map(keyGate)));
  let byKey = await holders(db, sql, q.COUNT_KEY_HOLDERS, keys);
  const woken = unique(freed.map((f) => f.key));
  if (woken.length > 0) {
    const rows = await sql.run<CandidateRow>(db, q.WAKE_KEYS, [textArray(woken)], 'claim: wake');
    // Slots freed since the count left notes the wake consumed: count again, or a woken job could be parked with no note left.
    byKey = await holders(db, sql, q.COUNT_KEY_HOLDERS, keys);
    const known = new Set(gated.map((c) => c.id));
    for (const row of rows.rows) {
      const c = toCandidate(row);
      if (c.runAt <= now && !known.has(c.id) && open.includes(c.name)) gated.push(c);
    }
  }

  // Phase 3: the rate windows.
  const rateKeys = unique(gated.flatMap((c) => c.rateLimit?.key ?? []));
  const starts = new Map<string, number[]>();
  if (rateKeys.length > 0) {
    const { rows } = await sql.run<{ key: string; starts: string[]; now: string }>(
      db,
      q.LOCK_RATES,
      [textArray(rateKeys)],
      'claim: lock rate windows',
    );
    for (const r of rows) {
      starts.set(
        r.key,
        r.starts.map(Number).sort((a, b) => a - b),
      );
      now = Math.max(now, Number(r.now));
    }
  }

  const decision = decide(
    [...plain, ...gated].sort(claimOrder),
    request,
    { want, starting: lease.starting },
    now,
    {
      byKey,
      byName,
      starts,
    },
  );
  await write(db, sql, decision, starts);
  for (const [, runAt] of decision.deferred) deferrals.add(runAt, now);
  if (decision.admitted.length === 0) return [];
  const { rows } = await sql.run<JobRow>(
    db,
    q.LEASE_ADMITTED,
    [
      textArray(decision.admitted),
      want,
      lease.workerId,
      lease.leaseMs,
      lease.starting,
      lease.startingAhead,
      // Rate starts were recorded at `now` (read after every count): lease at it. Otherwise the clock as the
      // lease runs, so no job seems to start before the one whose slot it took finished.
      rateKeys.length > 0 ? now : null,
      textArray(capped),
    ],
    'claim',
  );
  return rows;
}

/** What one claim decided. */
interface Decision {
  admitted: string[];
  parked: string[];
  deferred: Array<[id: string, runAt: number]>;
  /** Rate keys that recorded starts. */
  rated: Set<string>;
}

/** Walks the candidates in claim order with core's `admitJob`, counting this claim's own admissions. */
function decide(
  all: readonly Candidate[],
  request: ClaimRequest,
  { want, starting }: { want: number; starting: number },
  now: number,
  state: { byKey: Map<string, number>; byName: Map<string, number>; starts: Map<string, number[]> },
): Decision {
  const decision: Decision = { admitted: [], parked: [], deferred: [], rated: new Set() };
  const counts: FlowCounts = {
    runningWithKey: (k) => state.byKey.get(k) ?? 0,
    runningWithName: (n) => state.byName.get(n) ?? 0,
    rateStarts: (k) => state.starts.get(k) ?? [],
  };
  const closed = new Set<string>();
  for (const c of all) {
    if (decision.admitted.length >= want) break;
    if (closed.has(c.name)) continue;
    // The first `starting` admitted jobs start; a job that may not be reserved is not taken after them.
    if (decision.admitted.length >= starting && !mayReserve(c)) continue;
    if (isGated(c, request)) {
      const admission = admitJob(c, request, counts, now);
      if (admission.kind === 'blocked') {
        if (admission.gate.startsWith('name:')) closed.add(c.name);
        else decision.parked.push(c.id);
        continue;
      }
      if (admission.kind === 'defer') {
        decision.deferred.push([c.id, admission.runAt]);
        continue;
      }
      if (c.rateLimit !== null) {
        state.starts.set(
          c.rateLimit.key,
          rateWindow.record(counts.rateStarts(c.rateLimit.key), [now], c.rateLimit),
        );
        decision.rated.add(c.rateLimit.key);
      }
      if (c.concurrencyKey !== null) bump(state.byKey, c.concurrencyKey);
      if (request.nameLimits?.[c.name] !== undefined) bump(state.byName, c.name);
    }
    decision.admitted.push(c.id);
  }
  return decision;
}

async function write(
  db: pg.PoolClient,
  sql: SqlRunner,
  decision: Decision,
  starts: Map<string, number[]>,
): Promise<void> {
  if (decision.parked.length > 0) {
    await sql.run(db, q.PARK_JOBS, [textArray(decision.parked)], 'claim: park');
  }
  if (decision.deferred.length > 0) {
    await sql.run(
      db,
      q.DEFER_JOBS,
      [textArray(decision.deferred.map(([id]) => id)), numberArray(decision.deferred.map(([, at]) => at))],
      'claim: defer',
    );
  }
  if (decision.rated.size > 0) {
    const keys = [...decision.rated];
    await sql.run(
      db,
      q.SAVE_RATES,
      [textArray(keys), JSON.stringify(keys.map((k) => starts.get(k) ?? []))],
      'claim: rate starts',
    );
  }
}

/** Locks `gates` in gate order; returns the store's time after. */
async function lockGates(db: pg.PoolClient, sql: SqlRunner, gates: readonly string[]): Promise<number> {
  const { rows } = await sql.run<{ now: string }>(
    db,
    q.LOCK_GATES,
    [textArray(unique(gates))],
    'claim: lock gates',
  );
  return Number(rows[0]?.now);
}

async function holders(
  db: pg.PoolClient,
  sql: SqlRunner,
  statement: typeof q.COUNT_KEY_HOLDERS,
  gates: readonly string[],
): Promise<Map<string, number>> {
  if (gates.length === 0) return new Map();
  const { rows } = await sql.run<{ gate: string; running: number }>(
    db,
    statement,
    [textArray(gates)],
    'claim: count running',
  );
  return new Map(rows.map((r) => [r.gate, r.running]));
}

async function candidates(
  db: pg.PoolClient,
  sql: SqlRunner,
  statement: typeof q.GATED_CANDIDATES,
  values: unknown[],
): Promise<Candidate[]> {
  const { rows } = await sql.run<CandidateRow>(db, statement, values, 'claim: candidates');
  return rows.map(toCandidate);
}

function toCandidate(row: CandidateRow): Candidate {
  return {
    id: row.id,
    name: row.name,
    priority: row.priority,
    runAt: Number(row.run_at),
    concurrencyKey: row.concurrency_key,
    concurrencyLimit: row.concurrency_limit,
    rateLimit: row.rate_limit,
  };
}

function claimOrder(a: Candidate, b: Candidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.runAt !== b.runAt) return a.runAt - b.runAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
