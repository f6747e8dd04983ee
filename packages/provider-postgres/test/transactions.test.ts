import { type Bell, JobDispatcher, JobExecutionResult, JobManager } from '@jobservice/core';
import { defineCallback, eventually, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { databaseUrl, testProvider } from './helpers/database.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const provider = await testProvider();
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
  cleanups.push(
    () => provider.close(),
    () => pool.end(),
  );
  const bells: Bell[] = [];
  const subscription = await provider.subscribe((bell) => bells.push(bell));
  cleanups.push(() => subscription.unsubscribe());
  return { provider, pool, bells };
}

/** Rings a marker through a committed enqueue: bells from earlier commits arrive before it. */
async function flushBells(provider: PostgresProvider, bells: Bell[]): Promise<void> {
  const marker = uniqueName('marker');
  await provider.enqueue([{ id: marker }]);
  await eventually(() => bells.some((b) => b.id === marker), 10_000, 'the marker bell');
}

describe('transactional enqueue', () => {
  it('writes no job and rings no bell when the transaction rolls back', async () => {
    const { provider, pool, bells } = await setup();
    const Callback = defineCallback(uniqueName('tx'));
    const manager = new JobManager({ store: provider, queue: provider, callbacks: [Callback] });
    const client = await pool.connect();
    let id: string;
    let many: string[];
    try {
      await client.query('BEGIN');
      ({ id } = await manager.enqueue(Callback, { n: 1 }, { transaction: client }));
      many = (
        await manager.enqueueMany(
          [
            { callback: Callback, metadata: { n: 2 } },
            { callback: Callback, metadata: { n: 3 } },
          ],
          { transaction: client },
        )
      ).map((r) => r.id);
      // Inside the transaction the job exists; outside it does not yet.
      expect((await client.query(`SELECT count(*)::int AS n FROM "${provider.schema}".jobs`)).rows[0].n).toBe(
        3,
      );
      expect(await provider.get(id)).toBeNull();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await flushBells(provider, bells);
    expect(await provider.get(id)).toBeNull();
    for (const other of many) expect(await provider.get(other)).toBeNull();
    expect(bells.filter((b) => b.id === id || many.includes(b.id))).toEqual([]);
  });

  it('writes the job and rings when the transaction commits, and the job runs', async () => {
    const { provider, pool, bells } = await setup();
    const Callback = defineCallback(uniqueName('tx'), (m: { n: number }) =>
      JobExecutionResult.success(m.n * 2),
    );
    const manager = new JobManager({ store: provider, queue: provider, callbacks: [Callback] });
    const client = await pool.connect();
    let id: string;
    try {
      await client.query('BEGIN');
      ({ id } = await manager.enqueue(Callback, { n: 21 }, { transaction: client }));
      await client.query(`CREATE TEMP TABLE witness (x int)`); // other work in the same transaction
      await flushBells(provider, bells);
      expect(bells.some((b) => b.id === id)).toBe(false);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await eventually(() => bells.some((b) => b.id === id), 10_000, 'the committed bell');
    expect((await provider.get(id))!.status).toBe('scheduled');
    const dispatcher = new JobDispatcher({ store: provider, queue: provider, callbacks: [Callback] });
    cleanups.push(() => dispatcher.stop({ graceMs: 0 }));
    await dispatcher.start();
    expect(await manager.waitFor(id)).toBe(42);
  });

  it('refuses a pool or a non-client as the transaction handle', async () => {
    const { provider, pool } = await setup();
    const Callback = defineCallback(uniqueName('tx'));
    const manager = new JobManager({ store: provider, queue: provider, callbacks: [Callback] });
    await expect(manager.enqueue(Callback, {}, { transaction: pool })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'options.transaction',
    });
    await expect(manager.enqueue(Callback, {}, { transaction: { begin: true } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect((await provider.query({ names: [Callback.jobName!] })).items).toHaveLength(0);
  });
});
