import { newJob, uniqueName } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { adminQuery, testProvider } from './helpers/database.js';

const open: PostgresProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** Runs `rounds` batches of jobs through claim and settle, pausing so the server's statistics catch up. */
async function churn(p: PostgresProvider, rounds: number, until: () => Promise<boolean>): Promise<void> {
  const name = uniqueName('churn');
  for (let i = 0; i < rounds && !(await until()); i++) {
    await p.insertMany(Array.from({ length: 100 }, () => newJob(name)));
    const jobs = await p.claim({ names: [name], limit: 100, workerId: 'w', leaseMs: 30_000 });
    await p.settle(
      jobs.map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'completed', result: null })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function manualVacuums(schema: string): Promise<number> {
  const [row] = await adminQuery<{ n: string }>(
    `SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
    [schema],
  );
  return Number(row?.n ?? 0);
}

describe('vacuum keeper', () => {
  it('vacuums the jobs table once the server counts vacuumDeadRows dead rows', async () => {
    const p = await testProvider({ vacuumDeadRows: 150 });
    open.push(p);
    await churn(p, 40, async () => (await manualVacuums(p.schema)) > 0);
    expect(await manualVacuums(p.schema)).toBeGreaterThan(0);
  });

  it('leaves the table to the server with vacuumDeadRows: false', async () => {
    const p = await testProvider({ vacuumDeadRows: false });
    open.push(p);
    await churn(p, 8, async () => false);
    expect(await manualVacuums(p.schema)).toBe(0);
  });

  it('refuses a threshold that is not a whole number ≥ 1, naming the option', async () => {
    await expect(testProvider({ vacuumDeadRows: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'vacuumDeadRows',
    });
  });
});
