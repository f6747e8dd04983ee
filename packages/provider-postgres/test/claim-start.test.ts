import { compareClaimOrder, HISTORY_LIMIT, type JobChange, type JobDocument } from '@jobservice/core';
import { eventually, newJob, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CLAIM_JOBS_BY_NAME } from '../src/sql/claim-jobs-by-name.js';
import { databaseUrl, providersPerTest } from './helpers/database.js';

const { fresh, peerOf } = providersPerTest();

/** Each claim's own first `start` (claim order) started, the rest reserved. */
function expectStartedFirst(claimed: JobDocument[], start: number): void {
  expect([...claimed].sort(compareClaimOrder)).toEqual(claimed);
  claimed.forEach((job, i) => {
    const starts = i < start;
    expect({ i, reserved: job.reserved, attempt: job.attempt, started: job.startedAt !== null }).toEqual({
      i,
      reserved: !starts,
      attempt: starts ? 1 : 0,
      started: starts,
    });
  });
}

describe('claim with a start count', () => {
  it('starts the first `start` in claim order across priorities and reserves the rest', async () => {
    const p = await fresh();
    const name = uniqueName('start');
    const jobs = [0, 5, 1, 5, 0, 1].map((priority) => newJob(name, { priority }));
    await p.insertMany(jobs);
    const claimed = await p.claim({ names: [name], limit: 6, start: 3, workerId: 'w', leaseMs: 30_000 });
    expect(claimed.map((j) => j.priority)).toEqual([5, 5, 1, 1, 0, 0]);
    expectStartedFirst(claimed, 3);
    for (const job of claimed) expect(job).toMatchObject({ status: 'running', leaseToken: 1, workerId: 'w' });
    // The multi-name statement agrees, and start 0 reserves everything.
    const other = uniqueName('start-other');
    await p.insertMany([newJob(other, { priority: 2 }), newJob(name, { priority: 9 }), newJob(other)]);
    const mixed = await p.claim({ names: [name, other], limit: 3, start: 2, workerId: 'w', leaseMs: 30_000 });
    expect(mixed.map((j) => j.priority)).toEqual([9, 2, 0]);
    expectStartedFirst(mixed, 2);
    await p.insert(newJob(name));
    const none = await p.claim({ names: [name], limit: 5, start: 0, workerId: 'w', leaseMs: 30_000 });
    expect(none.map((j) => j.reserved)).toEqual([true]);
  });

  it('under concurrent claims from several processes, each claim starts exactly its own first `start`', async () => {
    const p = await fresh();
    const peers = [p, ...(await Promise.all([1, 2, 3].map(() => peerOf(p))))];
    const name = uniqueName('race');
    await p.insertMany(Array.from({ length: 200 }, (_, i) => newJob(name, { priority: i % 4 })));
    const results: JobDocument[][] = [];
    await Promise.all(
      peers.map(async (peer, w) => {
        for (let round = 0; round < 5; round++) {
          const claimed = await peer.claim({
            names: round % 2 === 0 ? [name] : [name, uniqueName('absent')],
            limit: 10,
            start: 3,
            workerId: `w${w}`,
            leaseMs: 30_000,
          });
          results.push(claimed);
        }
      }),
    );
    const all = results.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all.map((j) => j.id)).size).toBe(200);
    for (const claimed of results) {
      expect(claimed).toHaveLength(10);
      expectStartedFirst(claimed, 3);
    }
    const { items } = await p.query({ names: [name], statuses: ['running'], limit: 500 });
    expect(items.filter((j) => j.reserved)).toHaveLength(140);
    expect(items.filter((j) => j.attempt === 1)).toHaveLength(60);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'CTE Name'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe('the single-name claim plan with a start count', () => {
  it('locks only the rows it leases and sorts only those (EXPLAIN ANALYZE)', async () => {
    const p = await fresh();
    const name = uniqueName('plan');
    await p.insertMany(Array.from({ length: 3_000 }, (_, i) => newJob(name, { priority: i % 3 })));
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`ANALYZE "${p.schema}".jobs`);
      await client.query('BEGIN');
      const text = CLAIM_JOBS_BY_NAME.text.replaceAll('{{schema}}', `"${p.schema}"`);
      const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, [
        name,
        100,
        'w',
        30_000,
        40,
        20,
      ]);
      await client.query('ROLLBACK');
      const nodes = planNodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode);
      const locks = nodes.filter((n) => n['Node Type'] === 'LockRows');
      expect(locks.map((n) => n['Actual Rows'])).toEqual([100]);
      // The two sorts find the 40th and the 60th (start + startAhead) row among the 100
      // chosen: their input is CTE c, not the table.
      const sorts = nodes.filter((n) => n['Node Type'] === 'Sort');
      expect(sorts).toHaveLength(2);
      for (const sort of sorts) {
        expect(sort.Plans?.map((n) => [n['Node Type'], n['CTE Name'], n['Actual Rows']])).toEqual([
          ['CTE Scan', 'c', 100],
        ]);
      }
      expect(nodes.find((n) => n['Node Type'] === 'ModifyTable')?.['Actual Rows']).toBe(100);
    } finally {
      await client.end();
    }
  });
});

describe('settling a reserved job', () => {
  it('start counts the attempt once, is fenced by reserved, and notifies nobody', async () => {
    const p = await fresh();
    const name = uniqueName('begin');
    await p.insertMany([newJob(name), newJob(name)]);
    const [started, reserved] = await p.claim({
      names: [name],
      limit: 2,
      start: 1,
      workerId: 'w',
      leaseMs: 1_000,
    });
    const changes: JobChange[] = [];
    const unwatch = await p.watch((change) => changes.push(change));
    const before = await p.now();
    const results = await p.settle([
      { id: reserved!.id, leaseToken: reserved!.leaseToken, outcome: 'start', leaseMs: 60_000 },
      { id: started!.id, leaseToken: started!.leaseToken, outcome: 'start', leaseMs: 60_000 },
      { id: reserved!.id, leaseToken: reserved!.leaseToken, outcome: 'start', leaseMs: 60_000 },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const begun = await p.get(reserved!.id);
    expect(begun).toMatchObject({ status: 'running', reserved: false, attempt: 1, workerId: 'w' });
    expect(begun!.startedAt).toBeGreaterThanOrEqual(before);
    expect(begun!.leaseExpiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(await p.get(started!.id)).toEqual(started);
    // Only the completion below reaches the change feed.
    await p.settle([{ id: begun!.id, leaseToken: begun!.leaseToken, outcome: 'completed', result: 1 }]);
    await eventually(() => changes.length > 0, 10_000, 'the completion');
    expect(changes).toEqual([{ id: begun!.id, status: 'completed', cancelRequested: false }]);
    await unwatch();
  });

  it('release uncounts only a started job; retries keep the newest history records', async () => {
    const p = await fresh();
    const name = uniqueName('history');
    await p.insertMany([newJob(name, { maxAttempts: 100 }), newJob(name)]);
    const [started, reserved] = await p.claim({
      names: [name],
      limit: 2,
      start: 1,
      workerId: 'w',
      leaseMs: 30_000,
    });
    await p.settle([
      { id: started!.id, leaseToken: started!.leaseToken, outcome: 'release' },
      { id: reserved!.id, leaseToken: reserved!.leaseToken, outcome: 'release' },
    ]);
    for (const id of [started!.id, reserved!.id]) {
      expect(await p.get(id)).toMatchObject({ status: 'scheduled', attempt: 0, reserved: false });
    }
    expect(await p.delete(reserved!.id)).toBe(true);
    for (let attempt = 1; attempt <= HISTORY_LIMIT + 2; attempt++) {
      const [job] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
      expect(job).toMatchObject({ id: started!.id, attempt });
      const error = { message: `no ${attempt}` };
      await p.settle([{ id: job!.id, leaseToken: job!.leaseToken, outcome: 'retry', delayMs: 0, error }]);
    }
    const [last] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await p.settle([{ id: last!.id, leaseToken: last!.leaseToken, outcome: 'completed', result: null }]);
    const done = await p.get(started!.id);
    expect(done).toMatchObject({ status: 'completed', error: null, attempt: HISTORY_LIMIT + 3 });
    expect(done!.history.map((r) => r.attempt)).toEqual(
      Array.from({ length: HISTORY_LIMIT }, (_, i) => i + 4),
    );
    expect(done!.history.at(-1)).toMatchObject({
      attempt: HISTORY_LIMIT + 3,
      outcome: 'completed',
      error: null,
    });
    expect(done!.history.at(-2)).toMatchObject({
      attempt: HISTORY_LIMIT + 2,
      outcome: 'failed',
      error: { message: `no ${HISTORY_LIMIT + 2}` },
    });
  });
});
