/**
 * What one job costs PostgreSQL, statement by statement, against the
 * library-free baseline on the same table shape — the evidence behind
 * "what bounds throughput" in docs/BENCHMARKS.md.
 *
 * 1. A dispatcher (concurrency 10, defaults) runs `jobs` no-op jobs; every
 *    statement the provider sends is tallied by name: statements per job
 *    and rows per statement.
 * 2. With 20,000 jobs queued in each schema, one claim of 400 jobs and the
 *    settle of those 400 run under `EXPLAIN (ANALYZE, BUFFERS, WAL)`, for
 *    jobservice's statements and for the baseline's: WAL records and bytes
 *    per job, server time per job.
 *
 * `npx tsx bench/scripts/pg-write-cost.ts [jobs]` (DATABASE_URL, else the
 * local server); each schema is dropped afterwards. Run it on a quiet
 * machine: part 2's times are one sample each (the WAL figures are exact).
 */
import { BaseJobCallback, JobDispatcher, JobExecutionResult, JobManager } from '@jobservice/core';
import { PostgresProvider } from '@jobservice/provider-postgres';
import pg from 'pg';
import { claimRows, createTables, insertRows, settleRows, uuidv7 } from '../src/systems/baseline-sql.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const jobs = Number(process.argv[2] ?? 20_000);
const BATCH = 400;

class Noop extends BaseJobCallback {
  static jobName = 'noop';
  execute() {
    return JobExecutionResult.success();
  }
}

/** A statement as the provider sent it (prepared statements carry a name). */
interface Sent {
  text: string;
  values: unknown[];
}
type Tally = Map<string, { count: number; rows: number; first: Sent }>;

/** Wraps `pg.Pool.prototype.query` to tally named statements; returns the tally and an off switch. */
function tallyStatements(): { tally: Tally; stop: () => void } {
  const tally: Tally = new Map();
  const original = pg.Pool.prototype.query;
  const patched = function (this: pg.Pool, config: unknown, ...rest: unknown[]) {
    const result = (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
    const named = config as { name?: string; text?: string; values?: unknown[] };
    if (typeof named?.name === 'string' && result instanceof Promise) {
      const name = named.name.replace(/_[0-9a-f]{16}$/, '').replace(/^js_/, '');
      void result.then(
        (r: pg.QueryResult) => {
          const entry = tally.get(name) ?? {
            count: 0,
            rows: 0,
            first: { text: named.text ?? '', values: named.values ?? [] },
          };
          entry.count += 1;
          entry.rows += r.rowCount ?? 0;
          tally.set(name, entry);
        },
        () => {},
      );
    }
    return result;
  };
  pg.Pool.prototype.query = patched as typeof original;
  const stop = () => {
    pg.Pool.prototype.query = original;
  };
  return { tally, stop };
}

/** Part 1: statements per job of a dispatcher run; returns the claim and settle statements seen. */
async function statementsPerJob(schema: string): Promise<{ claim: Sent; settle: Sent }> {
  const store = new PostgresProvider({ connectionString: url, schema });
  await store.ready();
  const manager = new JobManager({ store, queue: store });
  for (let i = 0; i < jobs; i += 5_000) {
    const size = Math.min(5_000, jobs - i);
    await manager.enqueueMany(
      Array.from({ length: size }, (_, k) => ({ callback: 'noop', metadata: { i: i + k } })),
    );
  }
  const { tally, stop } = tallyStatements();
  const dispatcher = new JobDispatcher({ store, queue: store, callbacks: [Noop], concurrency: 10 });
  let done = 0;
  const finished = new Promise<void>((resolve) =>
    dispatcher.on('completed', () => {
      if (++done === jobs) resolve();
    }),
  );
  await dispatcher.start();
  await finished;
  await dispatcher.stop();
  stop();
  await store.close();
  console.log(
    `\n1. statements of a dispatcher run, ${jobs.toLocaleString('en-US')} no-op jobs, concurrency 10`,
  );
  console.log('| statement | count | per job | rows per statement |\n|---|--:|--:|--:|');
  for (const [name, e] of [...tally].sort((a, b) => b[1].count - a[1].count))
    console.log(
      `| ${name} | ${e.count} | ${(e.count / jobs).toFixed(4)} | ${(e.rows / e.count).toFixed(1)} |`,
    );
  const claim = tally.get('claim_jobs_by_name')?.first ?? tally.get('claim_jobs')?.first;
  const settle = tally.get('settle_jobs')?.first;
  if (!claim || !settle) throw new Error('no claim or settle statement was seen');
  return { claim, settle };
}

/** The totals of an `EXPLAIN (ANALYZE, BUFFERS, WAL)`: execution ms, WAL records and bytes. */
async function explain(client: pg.Client, text: string, values: unknown[]) {
  const { rows } = await client.query({
    text: `EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ${text}`,
    values,
  });
  const plan = (rows[0] as { 'QUERY PLAN': Array<Record<string, unknown>> })['QUERY PLAN'][0] as {
    'Execution Time': number;
    Plan: { 'WAL Records'?: number; 'WAL Bytes'?: number };
  };
  return {
    ms: plan['Execution Time'],
    records: plan.Plan['WAL Records'] ?? 0,
    bytes: plan.Plan['WAL Bytes'] ?? 0,
  };
}

type Cost = Awaited<ReturnType<typeof explain>>;
const row = (label: string, c: Cost, n: number) =>
  `| ${label} | ${((c.ms * 1000) / n).toFixed(1)} | ${(c.records / n).toFixed(2)} | ${Math.round(c.bytes / n)} |`;

/** Part 2: one claim of {@link BATCH} and its settle, jobservice's statements. */
async function jobserviceCosts(
  client: pg.Client,
  schema: string,
  from: string,
  seen: { claim: Sent; settle: Sent },
) {
  // The statements were rendered for the run's schema: point them at this one.
  const moved = (s: Sent) => ({ ...s, text: s.text.replaceAll(`"${from}"`, `"${schema}"`) });
  const sent = { claim: moved(seen.claim), settle: moved(seen.settle) };
  const store = new PostgresProvider({ connectionString: url, schema });
  await store.ready();
  const manager = new JobManager({ store, queue: store });
  for (let i = 0; i < 20_000; i += 5_000)
    await manager.enqueueMany(
      Array.from({ length: 5_000 }, (_, k) => ({ callback: 'noop', metadata: { i: i + k } })),
    );
  await store.close();
  await client.query(`VACUUM ANALYZE "${schema}".jobs`);
  const claimValues = [...sent.claim.values];
  claimValues[1] = BATCH; // $2: how many
  const claim = await explain(client, sent.claim.text, claimValues);
  // EXPLAIN ANALYZE ran the claim: settle what it leased.
  const { rows } = await client.query<{ id: string; lease_token: string }>(
    `SELECT id, lease_token FROM "${schema}".jobs WHERE status = 'running'`,
  );
  const ids = rows.map((r) => r.id);
  const none = JSON.stringify(ids.map(() => null));
  const settleValues = [
    ids,
    rows.map((r) => r.lease_token),
    ids.map(() => 'completed'),
    none,
    none,
    ids.map(() => 0),
    ids.map(() => 0),
    ...sent.settle.values.slice(7),
  ];
  return { claim, settle: await explain(client, sent.settle.text, settleValues), n: ids.length };
}

/** Part 2 for the baseline's statements. */
async function baselineCosts(client: pg.Client, schema: string) {
  const s = `"${schema}"`;
  await client.query(createTables(s));
  const now = Date.now();
  for (let i = 0; i < 4; i++) {
    const ids = Array.from({ length: 5_000 }, () => uuidv7());
    await client.query(insertRows(s), [ids, ids.map((_, k) => JSON.stringify({ i: k })), now, now]);
  }
  await client.query(`VACUUM ANALYZE ${s}.jobs`);
  const claim = await explain(client, claimRows(s), [Date.now(), BATCH, 'w1']);
  const { rows } = await client.query<{ id: string; lease_token: string }>(
    `SELECT id, lease_token FROM ${s}.jobs WHERE status = 'running'`,
  );
  const settle = await explain(client, settleRows(s), [
    rows.map((r) => r.id),
    rows.map((r) => r.lease_token),
    now,
  ]);
  return { claim, settle, n: rows.length };
}

const stamp = Date.now();
const schemas = [`write_cost_run_${stamp}`, `write_cost_js_${stamp}`, `write_cost_base_${stamp}`] as const;
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const sent = await statementsPerJob(schemas[0]);
  const js = await jobserviceCosts(client, schemas[1], schemas[0], sent);
  const base = await baselineCosts(client, schemas[2]);
  console.log(
    `\n2. one claim of ${BATCH} and its settle, 20,000 jobs queued (EXPLAIN ANALYZE, BUFFERS, WAL)`,
  );
  console.log(
    '| statement | server µs per job | WAL records per job | WAL bytes per job |\n|---|--:|--:|--:|',
  );
  console.log(row('jobservice claim', js.claim, js.n));
  console.log(row('jobservice settle', js.settle, js.n));
  console.log(row('baseline claim', base.claim, base.n));
  console.log(row('baseline settle', base.settle, base.n));
} finally {
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
