import { type JobDocument, ShutdownError } from '@jobservice/core';
import { newJob, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { databaseUrl, dropSchemaAfterTest, providersPerTest, randomSchema } from './helpers/database.js';

const { fresh, peerOf, track } = providersPerTest();

describe('NUL characters', () => {
  it('rejects NUL in inserted text and JSON with InvalidInputError naming the field, writing nothing', async () => {
    const p = await fresh();
    const name = uniqueName('nul');
    await expect(p.insert(newJob(name, { metadata: { deep: ['ok', 'bad\u0000'] } }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'metadata.deep[1]',
    });
    await expect(p.insert(newJob(name, { metadata: { 'k\u0000': 1 } }))).rejects.toMatchObject({
      field: 'metadata."k\\u0000"',
    });
    await expect(p.insert(newJob(name, { key: 'a\u0000b' }))).rejects.toMatchObject({ field: 'key' });
    await expect(p.insert(newJob(`${name}\u0000`))).rejects.toMatchObject({ field: 'name' });
    await expect(
      p.insertMany([newJob(name), newJob(name, { metadata: { note: '\u0000' } })]),
    ).rejects.toMatchObject({ field: 'jobs[1].metadata.note' });
    expect((await p.query({ names: [name] })).items).toHaveLength(0);
    const job = newJob(name);
    await p.insert(job);
    await expect(p.update(job.id, 1, { progress: { step: 'x\u0000' } })).rejects.toMatchObject({
      field: 'patch.progress.step',
    });
    expect((await p.get(job.id))!.version).toBe(1);
  });

  it('keeps a literal backslash-u0000 text, which is not a NUL', async () => {
    const p = await fresh();
    const job = newJob(uniqueName('esc'), { metadata: { text: '\\u0000' } });
    await p.insert(job);
    expect((await p.get(job.id))!.metadata).toEqual({ text: '\\u0000' });
  });

  it('stores a worker result with NUL as U+FFFD rather than stranding the job', async () => {
    const p = await fresh();
    const name = uniqueName('nul-result');
    await p.insert(newJob(name));
    const [job] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
    const [settled] = await p.settle([
      { id: job!.id, leaseToken: 1, outcome: 'completed', result: { out: 'a\u0000b' } },
    ]);
    expect(settled).toMatchObject({ id: job!.id, ok: true });
    expect((await p.get(job!.id))!.result).toEqual({ out: 'a\ufffdb' });
  });
});

describe('compare-and-set update', () => {
  it('refuses fields outside the whitelist and values of the wrong type', async () => {
    const p = await fresh();
    const job = newJob(uniqueName('patch'));
    await p.insert(job);
    for (const field of ['id', 'version', 'key', 'createdAt', 'status; DROP TABLE jobs']) {
      await expect(p.update(job.id, 1, { [field]: 'x' } as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: `patch.${field}`,
      });
    }
    await expect(p.update(job.id, 1, { status: 'done' as never })).rejects.toMatchObject({
      field: 'patch.status',
    });
    await expect(p.update(job.id, 1, { runAt: Number.NaN })).rejects.toMatchObject({ field: 'patch.runAt' });
    expect((await p.get(job.id))!.version).toBe(1);
  });

  it('round-trips epoch-ms times beyond 32 bits and nulls', async () => {
    const p = await fresh();
    const job = newJob(uniqueName('times'), { runAt: 8_000_000_000_000, timeoutMs: 5_000_000_000 });
    await p.insert(job);
    const after = await p.update(job.id, 1, { leaseExpiresAt: 7_999_999_999_999, timeoutMs: null });
    expect(after).toMatchObject({
      runAt: 8_000_000_000_000,
      leaseExpiresAt: 7_999_999_999_999,
      timeoutMs: null,
    });
  });
});

describe('claim', () => {
  it('never leases one job twice across four concurrent claimers on separate connections', async () => {
    const p = await fresh();
    const name = uniqueName('many');
    const other = uniqueName('other');
    const jobs = Array.from({ length: 1_000 }, (_, i) => newJob(i % 10 === 0 ? other : name));
    await p.insertMany(jobs);
    const claimers = [p, await peerOf(p), await peerOf(p), await peerOf(p)];
    const claimed = await Promise.all(
      claimers.map(async (store, i) => {
        const mine: JobDocument[] = [];
        for (;;) {
          const batch = await store.claim({
            names: [name, other],
            limit: 25,
            workerId: `w${i}`,
            leaseMs: 60_000,
          });
          expect(batch.length).toBeLessThanOrEqual(25);
          if (batch.length === 0) return mine;
          mine.push(...batch);
        }
      }),
    );
    const ids = claimed.flat().map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(1_000);
    expect(claimed.every((mine) => mine.length > 0)).toBe(true);
  });

  it('returns a batch in claim order across names', async () => {
    const p = await fresh();
    const a = uniqueName('a');
    const b = uniqueName('b');
    const now = await p.now();
    const jobs = [
      newJob(a, { priority: 1, runAt: now - 5 }),
      newJob(b, { priority: 9, runAt: now - 1 }),
      newJob(a, { priority: 9, runAt: now - 2 }),
      newJob(b, { priority: 1, runAt: now - 9 }),
    ];
    await p.insertMany(jobs);
    const claimed = await p.claim({ names: [a, b, a], limit: 3, workerId: 'w', leaseMs: 1_000 });
    expect(claimed.map((j) => j.id)).toEqual([jobs[2]!.id, jobs[1]!.id, jobs[3]!.id]);
  });

  it('walks the partial claim index in claim order (EXPLAIN)', async () => {
    const p = await fresh();
    const name = uniqueName('plan');
    await p.insertMany(Array.from({ length: 3_000 }, (_, i) => newJob(i % 3 ? name : `${name}-x`)));
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`ANALYZE "${p.schema}".jobs`);
      const plan = await client.query(
        `EXPLAIN SELECT id FROM "${p.schema}".jobs WHERE status = 'scheduled' AND name = $1
           AND concurrency_key IS NULL AND rate_limit IS NULL
           AND run_at <= "${p.schema}".now_ms() ORDER BY priority DESC, run_at, id LIMIT 10 FOR UPDATE SKIP LOCKED`,
        [name],
      );
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('jobs_claim_idx');
      expect(text).not.toContain('Sort');
    } finally {
      await client.end();
    }
  });
});

describe('insertMany', () => {
  it('inserts a large batch in one statement and honours keys', async () => {
    const p = await fresh();
    const name = uniqueName('bulk');
    const key = uniqueName('key');
    const jobs = Array.from({ length: 5_000 }, (_, i) => newJob(name, { key: i % 1000 === 0 ? key : null }));
    const started = performance.now();
    const results = await p.insertMany(jobs);
    const ms = performance.now() - started;
    console.info(`insertMany: 5,000 jobs in ${ms.toFixed(0)} ms (${Math.round(5_000 / (ms / 1000))}/s)`);
    expect(results.filter((r) => r.created)).toHaveLength(4_996);
    expect(results.filter((r) => !r.created).every((r) => r.id === jobs[0]!.id)).toBe(true);
  });

  it('creates a repeated id once and answers repeats like single inserts would', async () => {
    const p = await fresh();
    const name = uniqueName('dup');
    const a = newJob(name);
    const results = await p.insertMany([a, { ...a }, newJob(name, { id: a.id, key: 'k' })]);
    expect(results).toEqual([
      { id: a.id, created: true },
      { id: a.id, created: false },
      { id: a.id, created: false },
    ]);
  });
});

describe('lifecycle', () => {
  it('runs on a caller-owned pool and leaves it open on close', async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    try {
      const schema = randomSchema();
      dropSchemaAfterTest(schema);
      const p = new PostgresProvider({ pool, schema, listenerPingMs: 0 });
      const job = newJob(uniqueName('pool'));
      await p.insert(job);
      await p.close();
      await p.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(p.get(job.id)).rejects.toBeInstanceOf(ShutdownError);
      await expect(p.enqueue([{ id: 'x' }])).rejects.toMatchObject({ code: 'SHUT_DOWN' });
    } finally {
      await pool.end();
    }
  });

  it('wraps driver failures in ProviderError messages starting with postgres:', async () => {
    const p = new PostgresProvider({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      schema: randomSchema(),
      poolConfig: { connectionTimeoutMillis: 2_000 },
    });
    track(p);
    await expect(p.now()).rejects.toMatchObject({ code: 'PROVIDER_FAILURE' });
    await expect(p.now()).rejects.toThrow(/^postgres: /);
  });

  it('refuses options that name no connection, or both a pool and a connection string', () => {
    expect(() => new PostgresProvider({})).toThrow(/pass \{ pool \} or \{ connectionString \}/);
    const pool = new pg.Pool({ connectionString: databaseUrl() });
    expect(() => new PostgresProvider({ pool, connectionString: databaseUrl() })).toThrow(/not both/);
    void pool.end();
  });
});
