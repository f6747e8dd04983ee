import { hasErrorCode } from '@jobservice/core';
import { eventually, newJob } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresProvider, SCHEMA_VERSION } from '../src/index.js';
import { MIGRATIONS } from '../src/sql/migrations/index.js';
import { adminQuery, databaseUrl, dropSchemaAfterTest, randomSchema } from './helpers/database.js';

const open: PostgresProvider[] = [];
function provider(schema: string, extra: { migrate?: boolean } = {}): PostgresProvider {
  const p = new PostgresProvider({
    connectionString: databaseUrl(),
    schema,
    poolConfig: { max: 2 },
    listenerPingMs: 0,
    ...extra,
  });
  open.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('migrations', () => {
  it('migrates a fresh schema once and is a no-op afterwards', async () => {
    const schema = randomSchema('mig');
    dropSchemaAfterTest(schema);
    const p = provider(schema);
    expect(await p.migrate()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await p.migrate()).toEqual([]);
    await p.ready();
    expect(await provider(schema).migrate()).toEqual([]);
    const rows = await adminQuery<{ version: number; name: string }>(
      `SELECT version, name FROM "${schema}".migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'row-change-feed' },
      { version: 3, name: 'reserved-and-history' },
      { version: 4, name: 'metadata-as-json' },
      { version: 5, name: 'trace-context' },
      { version: 6, name: 'labels' },
      { version: 7, name: 'continuations' },
      { version: 8, name: 'job-logs' },
      { version: 9, name: 'flow-control' },
      { version: 10, name: 'key-claim-function' },
      { version: 11, name: 'key-claim-plans' },
    ]);
  });

  it('upgrades a schema left at version 1 and keeps its jobs, its change feed working', async () => {
    const { schema, quoted } = await schemaAtVersion(1);
    await adminQuery(
      `INSERT INTO ${quoted}.jobs (id, name, status, max_attempts, run_at, created_at, updated_at, metadata, backoff)
       VALUES ('old', 'n', 'scheduled', 1, 0, 0, 0, '{"kept":true}', '{"type":"fixed","delayMs":0}')`,
    );
    const p = provider(schema);
    expect(await p.migrate()).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(await p.get('old')).toMatchObject({ status: 'scheduled', parents: [], onParentFailure: 'cancel' });
    expect((await p.get('old'))?.metadata).toEqual({ kept: true });
    const changes: string[] = [];
    const unwatch = await p.watch((change) => changes.push(`${change.id}:${change.status}`));
    const [job] = await p.claim({ names: ['n'], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await p.settle([{ id: job!.id, leaseToken: job!.leaseToken, outcome: 'completed', result: null }]);
    await eventually(() => changes.length > 0, 10_000, 'a change from the new triggers');
    expect(changes).toEqual(['old:completed']);
    await unwatch();
  });

  it('upgrades a schema at version 2 with jobs in it: reserved, history, trace and labels read as false, [], null and {}', async () => {
    const { schema, quoted } = await schemaAtVersion(2);
    const columns = `id, name, status, attempt, max_attempts, run_at, created_at, updated_at, metadata, backoff`;
    await adminQuery(
      `INSERT INTO ${quoted}.jobs (${columns}, lease_token, lease_expires_at, worker_id, started_at, error)
       VALUES ('a-waiting', 'n', 'scheduled', 0, 3, 0, 0, 0, '{"b":1,"a":2}', '{"type":"fixed","delayMs":0}', 0, NULL, NULL, NULL, NULL),
              ('b-lapsed', 'n', 'running', 1, 3, 5, 0, 0, '{}', '{"type":"fixed","delayMs":0}', 1, 0, 'gone', 0, NULL),
              ('c-failed', 'n', 'failed', 3, 3, 0, 0, 0, '{}', '{"type":"fixed","delayMs":0}', 3, NULL, NULL, 0, '{"message":"boom"}')`,
    );
    const p = provider(schema);
    expect(await p.migrate()).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const id of ['a-waiting', 'b-lapsed', 'c-failed']) {
      expect(await p.get(id)).toMatchObject({ id, reserved: false, history: [], trace: null, labels: {} });
    }
    expect((await p.get('c-failed'))?.error).toEqual({ message: 'boom' });
    expect((await p.get('a-waiting'))?.metadata).toEqual({ a: 2, b: 1 });

    // The running job left by the old code is recovered by the new statement.
    const [recovered] = await p.recover(10);
    expect(recovered).toMatchObject({
      id: 'b-lapsed',
      status: 'scheduled',
      attempt: 1,
      runAt: 5,
      recovering: true,
      reserved: false,
      workerId: null,
      error: { message: 'lease expired on worker gone (attempt 1)' },
      history: [{ attempt: 1, error: { message: 'lease expired on worker gone (attempt 1)' } }],
    });

    // Both old rows claim under the new statement: one started, one reserved.
    const claimed = await p.claim({ names: ['n'], limit: 2, start: 1, workerId: 'w', leaseMs: 30_000 });
    expect(claimed.map((j) => [j.id, j.attempt, j.reserved])).toEqual([
      ['a-waiting', 1, false],
      ['b-lapsed', 1, true],
    ]);
    // New rows keep their metadata's key order (json, not jsonb, since migration 4).
    const id = 'd-new';
    await p.insert({ ...newJob('n', { metadata: { zz: 1, a: { y: 2, b: 3 } } }), id });
    expect(JSON.stringify((await p.get(id))?.metadata)).toBe('{"zz":1,"a":{"y":2,"b":3}}');
  });

  it('lets exactly one of five providers starting at once run the migrations', async () => {
    const schema = randomSchema('mig');
    dropSchemaAfterTest(schema);
    const providers = Array.from({ length: 5 }, () => provider(schema));
    const applied = await Promise.all(providers.map((p) => p.migrate()));
    expect(applied.filter((versions) => versions.length > 0)).toEqual([MIGRATIONS.map((m) => m.version)]);
    expect(applied.filter((versions) => versions.length === 0)).toHaveLength(4);
    const rows = await adminQuery(`SELECT version FROM "${schema}".migrations`);
    expect(rows).toHaveLength(SCHEMA_VERSION);
    // Every provider works on the one schema.
    await Promise.all(providers.map(async (p) => expect(await p.now()).toBeGreaterThan(0)));
  });

  it('refuses a schema newer than the code, touching nothing', async () => {
    const schema = randomSchema('mig');
    dropSchemaAfterTest(schema);
    await provider(schema).ready();
    await adminQuery(`INSERT INTO "${schema}".migrations (version, name) VALUES (999, 'from-the-future')`);
    const newer = provider(schema);
    const error = await newer.ready().catch((e: unknown) => e);
    expect(hasErrorCode(error, 'PROVIDER_FAILURE')).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^postgres: schema ".*" is at version 999, newer than this code's ${SCHEMA_VERSION}`),
    );
    await expect(newer.get('x')).rejects.toMatchObject({ code: 'PROVIDER_FAILURE' });
    await expect(provider(schema, { migrate: false }).ready()).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
    });
  });

  it('with migrate: false, refuses a schema that was never migrated and creates nothing', async () => {
    const schema = randomSchema('mig');
    const p = provider(schema, { migrate: false });
    await expect(p.ready()).rejects.toThrow(
      new RegExp(`^postgres: schema ".*" is at version 0 but this code needs ${SCHEMA_VERSION}`),
    );
    expect(await adminQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toHaveLength(0);
  });
});

describe('schema names', () => {
  const hostile = [
    "jobs'; DROP TABLE x; --",
    'jobs"x',
    'jobs$$',
    'jobs;',
    'jobs\nx',
    'Jobs',
    'jobs x',
    'jöbs',
    '1jobs',
    '',
    'pg_jobs',
    'x'.repeat(49),
  ];

  it.each(hostile)('rejects %j with InvalidInputError before any SQL runs', (schema) => {
    let error: unknown;
    try {
      new PostgresProvider({ connectionString: databaseUrl(), schema });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'schema' });
    expect((error as Error).message).toContain('must match');
  });

  it('accepts names that match the pattern', async () => {
    for (const schema of ['jobs', '_jobs_2', `j${'x'.repeat(47)}`]) {
      const p = new PostgresProvider({ connectionString: databaseUrl(), schema });
      expect(p.schema).toBe(schema);
      await p.close();
    }
  });
});

/** A fresh schema (dropped after the test) migrated by hand to `version`, as an older release left it. */
async function schemaAtVersion(version: number): Promise<{ schema: string; quoted: string }> {
  const schema = randomSchema('mig');
  dropSchemaAfterTest(schema);
  const quoted = `"${schema}"`;
  await adminQuery(`CREATE SCHEMA ${quoted}`);
  await adminQuery(
    `CREATE TABLE ${quoted}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  for (const migration of MIGRATIONS.slice(0, version)) {
    await adminQuery(migration.sql.replaceAll('{{schema}}', quoted));
    await adminQuery(`INSERT INTO ${quoted}.migrations (version, name) VALUES ($1, $2)`, [
      migration.version,
      migration.name,
    ]);
  }
  return { schema, quoted };
}
