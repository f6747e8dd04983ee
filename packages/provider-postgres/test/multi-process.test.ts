import { JobManager } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { adminQuery, databaseUrl } from './helpers/database.js';
import { workerFleetPerTest } from './helpers/worker-processes.js';

const { fleet, provider: openProvider } = workerFleetPerTest();

async function setup(): Promise<{ provider: PostgresProvider; manager: JobManager }> {
  const provider = await openProvider();
  await adminQuery(
    `CREATE TABLE "${provider.schema}".ledger (job_id text NOT NULL, attempt int NOT NULL, worker text NOT NULL)`,
  );
  return { provider, manager: new JobManager({ store: provider, queue: provider }) };
}

async function statusCounts(schema: string): Promise<Record<string, number>> {
  const rows = await adminQuery<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM "${schema}".jobs GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function ledgerRows(schema: string) {
  return adminQuery<{ job_id: string; attempt: number; worker: string }>(
    `SELECT job_id, attempt, worker FROM "${schema}".ledger`,
  );
}

describe('worker processes', () => {
  it('4 workers run 4,000 jobs: every job completes with exactly one ledger row', async () => {
    const { provider, manager } = await setup();
    const url = databaseUrl();
    const names = ['w1', 'w2', 'w3', 'w4'];
    await Promise.all(
      names.map((worker) =>
        fleet.start({ url, schema: provider.schema, worker, concurrency: 20, leaseMs: 30_000 }),
      ),
    );
    const ids: string[] = [];
    for (let chunk = 0; chunk < 8; chunk++) {
      const results = await manager.enqueueMany(
        Array.from({ length: 500 }, (_, i) => ({ callback: 'ledger', metadata: { n: chunk * 500 + i } })),
      );
      ids.push(...results.map((r) => r.id));
    }
    await eventually(
      async () => (await statusCounts(provider.schema)).completed === 4_000,
      90_000,
      'all 4,000 jobs to complete',
    );
    await fleet.stopAll();
    const rows = await ledgerRows(provider.schema);
    expect(rows).toHaveLength(4_000);
    expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(ids));
    expect(rows.every((r) => r.attempt === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.worker)).size).toBeGreaterThan(1);
    expect(await statusCounts(provider.schema)).toEqual({ completed: 4_000 });
  });

  it('recovers the jobs of a worker killed with SIGKILL mid-job; another worker completes them', async () => {
    const { provider, manager } = await setup();
    const url = databaseUrl();
    const victim = await fleet.start({
      url,
      schema: provider.schema,
      worker: 'victim',
      mode: 'hang',
      leaseMs: 2_000,
    });
    const results = await manager.enqueueMany(
      Array.from({ length: 30 }, (_, i) => ({ callback: 'ledger', metadata: { n: i } })),
    );
    await eventually(
      async () => {
        const rows = await adminQuery<{ id: string }>(
          `SELECT id FROM "${provider.schema}".jobs WHERE status = 'running' AND worker_id = 'victim'`,
        );
        return rows.length >= 10;
      },
      30_000,
      'the victim to hold jobs',
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    // What the victim held when it died: jobs it had started, and prefetched (reserved) ones.
    const heldRows = await adminQuery<{ id: string; reserved: boolean }>(
      `SELECT id, reserved FROM "${provider.schema}".jobs WHERE status = 'running' AND worker_id = 'victim'`,
    );
    const started = heldRows.filter((r) => !r.reserved).map((r) => r.id);
    const reserved = heldRows.filter((r) => r.reserved).map((r) => r.id);
    expect(started.length).toBeGreaterThan(0);
    await fleet.start({ url, schema: provider.schema, worker: 'rescuer', leaseMs: 2_000 });
    await eventually(
      async () => (await statusCounts(provider.schema)).completed === 30,
      60_000,
      'every job to complete',
    );
    const docs = await Promise.all(results.map((r) => provider.get(r.id)));
    expect(docs.every((d) => d?.result === 'rescuer')).toBe(true);
    // A started job's crashed run counts; a reserved job never ran, so it spends no attempt.
    for (const id of started) expect((await provider.get(id))!.attempt).toBe(2);
    for (const id of reserved) expect((await provider.get(id))!.attempt).toBe(1);
    const rows = await ledgerRows(provider.schema);
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(30);
    expect(
      rows.filter((r) => started.includes(r.job_id)).every((r) => r.attempt === 2 && r.worker === 'rescuer'),
    ).toBe(true);
    expect(
      rows.filter((r) => reserved.includes(r.job_id)).every((r) => r.attempt === 1 && r.worker === 'rescuer'),
    ).toBe(true);
  });

  it('a zombie worker (SIGSTOP past its lease) cannot settle after SIGCONT; the stored result is the other worker’s', async () => {
    const { provider, manager } = await setup();
    const url = databaseUrl();
    const leaseMs = 3_000;
    const zombie = await fleet.start({
      url,
      schema: provider.schema,
      worker: 'zombie',
      mode: 'zombie',
      leaseMs,
    });
    const { id } = await manager.enqueue('ledger', { n: 1 });
    await eventually(
      () => zombie.events.some((e) => e.event === 'started' && e.id === id),
      30_000,
      'zombie start',
    );
    zombie.child.kill('SIGSTOP');
    // Past the lease on the store's clock: the reaper may recover the job at once.
    await provider.testing.shiftClock(leaseMs + 1_000);
    await fleet.start({ url, schema: provider.schema, worker: 'live', leaseMs });
    await eventually(async () => (await provider.get(id))?.status === 'completed', 60_000, 'the live worker');
    zombie.child.kill('SIGCONT');
    await eventually(
      () => zombie.events.some((e) => e.event === 'leaseLost' && e.id === id),
      30_000,
      'the zombie to lose its lease',
    );
    expect(zombie.events.some((e) => e.event === 'completed')).toBe(false);
    expect(await provider.get(id)).toMatchObject({ status: 'completed', result: 'live', attempt: 2 });
    expect(await ledgerRows(provider.schema)).toEqual([{ job_id: id, attempt: 2, worker: 'live' }]);
  });
});
