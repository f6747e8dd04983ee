import { JobDispatcher, JobManager, type NewJob } from '@jobservice/core';
import { defineCallback, eventually, newJob, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { adminQuery, databaseUrl, providersPerTest, testProvider } from './helpers/database.js';
import { recordInserts, storedRows, writePaths } from './helpers/insert-log.js';

const { track } = providersPerTest();
const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});

/** A provider whose `insertMany` uses COPY from `copyMinJobs` jobs (`false`: never). */
async function provider(copyMinJobs: number | false, poolMax = 4): Promise<PostgresProvider> {
  const p = track(await testProvider({ copyMinJobs, poolConfig: { max: poolMax } }));
  await recordInserts(p);
  return p;
}

const TRACE = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'congo=t61rcWkgMzE',
};

/** Jobs whose every column holds what the COPY text format must escape (or must not). */
function awkwardJobs(name: string): NewJob[] {
  const nasty = 'tab\there, newline\nthere, cr\r, backslash \\ and \\N and \\., "double" \'single\'';
  return [
    newJob(name, {
      metadata: {
        nasty,
        unicode: 'café 日本語 🎉 \u2028 \u00a0',
        nested: { list: [1, -0.5, 1e300, 9_007_199_254_740_991, true, false, null], empty: {}, none: [] },
        '': 'empty key',
        'key\twith\\escapes"': { deeper: [{ deepest: 'x\ny' }] },
        escapedUnicode: '\\u0000 is only text here',
      },
      priority: 2_147_483_647,
      maxAttempts: 1,
      runAt: 0,
      timeoutMs: 30_000,
      scheduleId: `sched ${nasty}`,
      trace: TRACE,
      labels: { tenant: nasty, 'x.y/z': 'é' },
      concurrencyKey: `tenant ${nasty}`,
      concurrencyLimit: 3,
      rateLimit: { key: `api ${nasty}`, max: 5, perMs: 1_000 },
    }),
    newJob(name, {
      metadata: null,
      priority: -5,
      delayMs: 60_000,
      trace: { traceparent: TRACE.traceparent },
    }),
    newJob(name, { metadata: 'just a string with \\ and \t', runAt: 1_700_000_000_123 }),
    newJob(name, { metadata: [1, 'two', { three: 3 }], backoff: { type: 'fixed', delayMs: 250 } }),
    newJob(name, {
      id: `id ${nasty}`,
      metadata: 42,
      parents: ['parent-1', 'p "2"', 'p\\3', 'p,{4}', 'NULL', `p\t${nasty}`],
      onParentFailure: 'run',
    }),
    newJob(`name ${nasty}`, { parents: ['parent-1'], scheduleId: null, labels: {} }),
    newJob('\\N', { metadata: { n: '\\N' } }),
    newJob(name, { id: '\\.', metadata: '\\.' }),
  ];
}

describe('insertMany through COPY', () => {
  it('writes the same rows as the unnest INSERT, column by column, for awkward jobs', async () => {
    const viaCopy = await provider(1);
    const viaInsert = await provider(false);
    const jobs = awkwardJobs(uniqueName('awkward'));
    const before = await viaCopy.now();
    expect(await viaCopy.insertMany(jobs)).toEqual(jobs.map((j) => ({ id: j.id, created: true })));
    expect(await viaInsert.insertMany(jobs)).toEqual(jobs.map((j) => ({ id: j.id, created: true })));
    const after = await viaCopy.now();
    expect(await writePaths(viaCopy)).toEqual(['copy']);
    expect(await writePaths(viaInsert)).toEqual(['insert']);

    const copied = await storedRows(viaCopy);
    const inserted = await storedRows(viaInsert);
    const timeless = ({ created_at, updated_at, run_at, ...row }: Record<string, unknown>) => row;
    expect(copied.size).toBe(jobs.length);
    for (const job of jobs) {
      const a = copied.get(job.id) as Record<string, unknown>;
      const b = inserted.get(job.id) as Record<string, unknown>;
      expect(timeless(a), job.id).toEqual(timeless(b));
      expect(a.metadata_text, job.id).toBe(JSON.stringify(job.metadata));
      expect(a.key).toBeNull();
      for (const row of [a, b]) {
        expect(row.updated_at).toBe(row.created_at);
        expect(row.created_at as number).toBeGreaterThanOrEqual(before);
        expect(row.created_at as number).toBeLessThanOrEqual(after);
        expect(row.run_at).toBe(job.runAt ?? (row.created_at as number) + (job.delayMs ?? 0));
      }
    }

    // And as documents, field by field (times apart, compared above).
    for (const job of jobs) {
      const { createdAt, updatedAt, runAt, ...a } = (await viaCopy.get(job.id)) ?? {};
      const { createdAt: _c, updatedAt: _u, runAt: _r, ...b } = (await viaInsert.get(job.id)) ?? {};
      expect(a).toEqual(b);
      expect(a).toMatchObject({ metadata: job.metadata, priority: job.priority, backoff: job.backoff });
    }
    const [awkward] = jobs;
    expect(await viaCopy.get(awkward?.id as string)).toMatchObject({
      trace: TRACE,
      labels: awkward?.labels,
      concurrencyKey: awkward?.concurrencyKey,
      rateLimit: awkward?.rateLimit,
      scheduleId: awkward?.scheduleId,
      status: 'scheduled',
    });
    expect(await viaCopy.get(jobs[4]?.id as string)).toMatchObject({
      status: 'waiting',
      parents: jobs[4]?.parents,
      onParentFailure: 'run',
    });
  });

  it('uses COPY from copyMinJobs distinct jobs, the INSERT below', async () => {
    const p = await provider(3);
    const name = uniqueName('threshold');
    await p.insertMany([newJob(name), newJob(name)]);
    const repeated = newJob(name);
    // Three items, two distinct ids: below the threshold; the repeat is created once.
    expect(await p.insertMany([repeated, newJob(name), repeated])).toEqual([
      { id: repeated.id, created: true },
      expect.objectContaining({ created: true }),
      { id: repeated.id, created: false },
    ]);
    const twice = newJob(name);
    const results = await p.insertMany([twice, newJob(name), twice, newJob(name)]);
    expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(await writePaths(p)).toEqual(['insert', 'insert', 'copy']);
    expect((await p.query({ names: [name] })).items).toHaveLength(7);
  });

  it('sends a batch holding one idempotency key through the INSERT, which dedupes it', async () => {
    const p = await provider(1);
    const name = uniqueName('keyed');
    const holder = newJob(name, { key: 'order-42' });
    await p.insert(holder);
    const batch = [newJob(name), newJob(name, { key: 'order-42' }), newJob(name), newJob(name)];
    const results = await p.insertMany(batch);
    expect(results[1]).toEqual({ id: holder.id, created: false });
    expect(results.filter((r) => r.created)).toHaveLength(3);
    expect(await writePaths(p)).toEqual(['insert', 'insert']);
    expect((await p.query({ names: [name] })).items).toHaveLength(4);
  });

  it('writes nothing when the server rejects a row midway through the COPY', async () => {
    const p = await provider(1);
    const name = uniqueName('midway');
    await adminQuery(`ALTER TABLE "${p.schema}".jobs ADD CONSTRAINT no_bad CHECK (name <> 'bad')`);
    const batch = Array.from({ length: 3_000 }, (_, i) => newJob(i === 2_000 ? 'bad' : name));
    await expect(p.insertMany(batch)).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      message: expect.stringMatching(/^postgres: insertMany failed: .*no_bad/),
    });
    expect((await adminQuery(`SELECT count(*)::int AS n FROM "${p.schema}".jobs`))[0]).toEqual({ n: 0 });
    // The pool still works afterwards.
    await p.insertMany([newJob(name), newJob(name)]);
    expect((await p.query({ names: [name] })).items).toHaveLength(2);
  });

  it('rejects a NUL in a COPY batch naming the field, before writing anything', async () => {
    const p = await provider(1);
    const name = uniqueName('nul');
    await expect(
      p.insertMany([newJob(name), newJob(name, { metadata: { note: 'a\u0000b' } })]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'jobs[1].metadata.note' });
    expect(await writePaths(p)).toEqual([]);
  });

  it('falls back to the INSERT when an id is taken: that id is skipped, the others created', async () => {
    // One connection: the fallback and everything after run on the connection whose COPY failed.
    const p = await provider(1, 1);
    const name = uniqueName('taken');
    const existing = newJob(name, { metadata: { first: true } });
    await p.insert(existing);
    const small = [newJob(name), { ...existing, metadata: { first: false } }, newJob(name)];
    expect(await p.insertMany(small)).toEqual([
      { id: small[0]?.id, created: true },
      { id: existing.id, created: false },
      { id: small[2]?.id, created: true },
    ]);
    // Large enough that the server reports the taken id while rows are still streaming.
    const large = Array.from({ length: 3_000 }, (_, i) => (i === 10 ? existing : newJob(name)));
    const results = await p.insertMany(large);
    expect(results[10]).toEqual({ id: existing.id, created: false });
    expect(results.filter((r) => r.created)).toHaveLength(2_999);
    expect(await writePaths(p)).toEqual(['insert', 'insert', 'insert']);
    expect((await p.get(existing.id))?.metadata).toEqual({ first: true });
    await p.insertMany([newJob(name), newJob(name)]);
    expect(await writePaths(p)).toEqual(['insert', 'insert', 'insert', 'copy']);
    expect((await p.query({ names: [name], limit: 5_000 })).items).toHaveLength(1 + 2 + 2_999 + 2);
  });
});

describe('the copyMinJobs option', () => {
  it('refuses anything but a whole number ≥ 1 or false, naming the option', () => {
    for (const copyMinJobs of [0, -1, 1.5, Number.NaN, '10', true]) {
      expect(
        () => new PostgresProvider({ connectionString: databaseUrl(), copyMinJobs: copyMinJobs as number }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'copyMinJobs' }));
    }
  });
});

describe('insertMany through COPY in the caller transaction', () => {
  async function client(): Promise<pg.PoolClient> {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    pools.push(pool);
    return pool.connect();
  }

  it('joins it: nothing is written on rollback, everything on commit', async () => {
    const p = await provider(1);
    const name = uniqueName('tx');
    const c = await client();
    try {
      await c.query('BEGIN');
      await p.insertMany([newJob(name), newJob(name)], { transaction: c });
      await c.query('ROLLBACK');
      expect((await p.query({ names: [name] })).items).toHaveLength(0);
      await c.query('BEGIN');
      const jobs = [newJob(name), newJob(name), newJob(name)];
      await p.insertMany(jobs, { transaction: c });
      expect((await p.query({ names: [name] })).items).toHaveLength(0);
      await c.query('COMMIT');
      expect((await p.query({ names: [name] })).items.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    } finally {
      c.release();
    }
    expect(await writePaths(p)).toEqual(['copy']);
  });

  it('undoes only its own COPY when an id is taken, leaving the transaction usable', async () => {
    const p = await provider(1);
    const name = uniqueName('tx-taken');
    const existing = newJob(name);
    await p.insert(existing);
    const c = await client();
    try {
      await c.query('BEGIN');
      await c.query('CREATE TEMP TABLE witness (x int)');
      const results = await p.insertMany([newJob(name), existing, newJob(name)], { transaction: c });
      expect(results.map((r) => r.created)).toEqual([true, false, true]);
      await c.query('INSERT INTO witness VALUES (1)');
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    expect((await p.query({ names: [name] })).items).toHaveLength(3);
    expect(await writePaths(p)).toEqual(['insert', 'insert']);
  });

  it('uses the INSERT for a handle that is only structurally a client', async () => {
    const p = await provider(1);
    const name = uniqueName('tx-structural');
    const c = await client();
    try {
      await c.query('BEGIN');
      const handle = { query: (config: pg.QueryConfig) => c.query(config) };
      await p.insertMany([newJob(name), newJob(name)], { transaction: handle });
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    expect((await p.query({ names: [name] })).items).toHaveLength(2);
    expect(await writePaths(p)).toEqual(['insert']);
  });
});

describe('enqueueMany through COPY', () => {
  it('rings the bell: an idle dispatcher runs the jobs without polling', async () => {
    const p = await provider(2);
    const Callback = defineCallback(uniqueName('bell'));
    const dispatcher = new JobDispatcher({
      store: p,
      queue: p,
      callbacks: [Callback],
      idlePollMs: 600_000,
    });
    await dispatcher.start();
    try {
      const manager = new JobManager({ store: p, queue: p, callbacks: [Callback] });
      const results = await manager.enqueueMany(
        Array.from({ length: 5 }, (_, n) => ({ callback: Callback, metadata: { n } })),
      );
      await eventually(
        async () => {
          const jobs = await Promise.all(results.map((r) => p.get(r.id)));
          return jobs.every((job) => job?.status === 'completed');
        },
        10_000,
        'the five jobs completed',
      );
    } finally {
      await dispatcher.stop({ graceMs: 1_000 });
    }
    expect(await writePaths(p)).toEqual(['copy']);
  });
});
