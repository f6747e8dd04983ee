import type { JobChange } from '@jobservice/core';
import { eventually, newJob, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PostgresProvider } from '../src/index.js';
import { databaseUrl, testProvider } from './helpers/database.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A provider on its own pool (so its statements can be counted) and `count` jobs whose leases lapsed. */
async function lapsedJobs(count: number, claim: { start?: number; maxAttempts?: number } = {}) {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 4 });
  const provider = await testProvider({ pool });
  cleanups.push(
    () => pool.end(),
    () => provider.close(),
  );
  const name = uniqueName('lapse');
  await provider.insertMany(
    Array.from({ length: count }, () => newJob(name, { maxAttempts: claim.maxAttempts ?? 3 })),
  );
  const claimed = await provider.claim({
    names: [name],
    limit: count,
    start: claim.start,
    workerId: 'crashed',
    leaseMs: 1_000,
  });
  expect(claimed).toHaveLength(count);
  await provider.testing.shiftClock(5_000);
  return { pool, provider, name, claimed };
}

/** Opens a transaction on its own connection holding `FOR UPDATE` locks on `ids`. */
async function lockRows(provider: PostgresProvider, ids: string[]): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT id FROM "${provider.schema}".jobs WHERE id = ANY($1::text[]) FOR UPDATE`, [ids]);
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

describe('native recover', () => {
  it('recovers a batch in one statement, returning the documents after the write', async () => {
    const { pool, provider, claimed } = await lapsedJobs(5);
    const query = vi.spyOn(pool, 'query');
    const recovered = await provider.recover(100);
    expect(query).toHaveBeenCalledTimes(1);
    query.mockRestore();
    expect(recovered.map((j) => j.id)).toEqual(claimed.map((j) => j.id).sort());
    for (const job of recovered) {
      expect(job).toMatchObject({ status: 'scheduled', recovering: true, attempt: 1, leaseExpiresAt: null });
      expect(await provider.get(job.id)).toEqual(job);
    }
    expect(await provider.recover(100)).toEqual([]);
  });

  it('honours the limit, lowest ids first', async () => {
    const { provider, claimed } = await lapsedJobs(5);
    const ids = claimed.map((j) => j.id).sort();
    expect((await provider.recover(2)).map((j) => j.id)).toEqual(ids.slice(0, 2));
    expect((await provider.recover(0)).map((j) => j.id)).toEqual([]);
    expect((await provider.recover(10)).map((j) => j.id)).toEqual(ids.slice(2));
  });

  it('skips rows another transaction holds, without waiting for it, and takes them later', async () => {
    const { provider, claimed } = await lapsedJobs(4);
    const ids = claimed.map((j) => j.id).sort();
    const held = [ids[1] as string, ids[3] as string];
    const release = await lockRows(provider, held);
    let recovered: string[];
    try {
      const started = Date.now();
      recovered = (await provider.recover(10)).map((j) => j.id);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await release();
    }
    expect(recovered).toEqual([ids[0], ids[2]]);
    for (const id of held) expect((await provider.get(id))?.status).toBe('running');
    expect((await provider.recover(10)).map((j) => j.id)).toEqual(held);
  });

  it('leaves alone a job whose lease was renewed after the reaper looked', async () => {
    const { provider, claimed } = await lapsedJobs(2);
    const [first, second] = claimed.map((j) => j.id).sort() as [string, string];
    const job = claimed.find((j) => j.id === first)!;
    const [renewed] = await provider.extendLeases([
      { id: first, leaseToken: job.leaseToken, leaseMs: 60_000 },
    ]);
    expect(renewed?.ok).toBe(true);
    expect((await provider.recover(10)).map((j) => j.id)).toEqual([second]);
    expect((await provider.get(first))?.status).toBe('running');
  });

  it('hands reserved jobs back untouched and announces only terminal results on the change feed', async () => {
    // Four jobs: the first two started (one spends its last attempt), the next reserved; one cancel requested.
    const { provider, claimed } = await lapsedJobs(4, { start: 2, maxAttempts: 1 });
    const [a, b, c, d] = claimed as [
      (typeof claimed)[0],
      (typeof claimed)[0],
      (typeof claimed)[0],
      (typeof claimed)[0],
    ];
    expect([a, b, c, d].map((j) => j.reserved)).toEqual([false, false, true, true]);
    const afterCancel = await provider.update(b.id, b.version, { cancelRequested: true });
    expect(afterCancel?.cancelRequested).toBe(true);
    const changes: JobChange[] = [];
    const unwatch = await provider.watch((change) => changes.push(change));
    cleanups.push(unwatch);
    const recovered = new Map((await provider.recover(10)).map((j) => [j.id, j]));
    expect(recovered.get(a.id)).toMatchObject({ status: 'failed', recovering: true, attempt: 1 });
    expect(recovered.get(a.id)?.history).toHaveLength(1);
    expect(recovered.get(b.id)).toMatchObject({
      status: 'cancelled',
      error: { message: 'cancelled: its worker crashed lost the lease' },
    });
    expect(recovered.get(b.id)?.history.map((r) => [r.attempt, r.outcome, r.workerId])).toEqual([
      [1, 'lease-expired', 'crashed'],
    ]);
    for (const reserved of [c, d]) {
      expect(recovered.get(reserved.id)).toMatchObject({
        status: 'scheduled',
        attempt: 0,
        recovering: false,
        reserved: false,
        error: null,
        history: [],
        runAt: reserved.runAt,
        startedAt: null,
      });
    }
    await eventually(() => changes.length >= 2, 10_000, 'the terminal changes');
    // A marker change: every notification the recover sent has arrived before it.
    const marker = newJob(uniqueName('marker'));
    await provider.insert(marker);
    const [m] = await provider.claim({ names: [marker.name], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await provider.settle([{ id: m!.id, leaseToken: m!.leaseToken, outcome: 'completed', result: null }]);
    await eventually(() => changes.some((ch) => ch.id === m!.id), 10_000, 'the marker change');
    expect(changes.filter((ch) => ch.id !== m!.id).map((ch) => `${ch.id}:${ch.status}`)).toEqual(
      expect.arrayContaining([`${a.id}:failed`, `${b.id}:cancelled`]),
    );
    expect(changes.filter((ch) => ch.id !== m!.id)).toHaveLength(2);
  });
});
