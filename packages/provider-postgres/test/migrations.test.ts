import { hasErrorCode } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresProvider, SCHEMA_VERSION } from '../src/index.js';
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
    expect(await p.migrate()).toEqual([SCHEMA_VERSION]);
    expect(await p.migrate()).toEqual([]);
    await p.ready();
    expect(await provider(schema).migrate()).toEqual([]);
    const rows = await adminQuery<{ version: number; name: string }>(
      `SELECT version, name FROM "${schema}".migrations ORDER BY version`,
    );
    expect(rows).toEqual([{ version: 1, name: 'initial' }]);
  });

  it('lets exactly one of five providers starting at once run the migrations', async () => {
    const schema = randomSchema('mig');
    dropSchemaAfterTest(schema);
    const providers = Array.from({ length: 5 }, () => provider(schema));
    const applied = await Promise.all(providers.map((p) => p.migrate()));
    expect(applied.filter((versions) => versions.length > 0)).toEqual([[SCHEMA_VERSION]]);
    expect(applied.filter((versions) => versions.length === 0)).toHaveLength(4);
    const rows = await adminQuery(`SELECT version FROM "${schema}".migrations`);
    expect(rows).toHaveLength(1);
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
      /^postgres: schema ".*" is at version 999, newer than this code's 1/,
    );
    await expect(newer.get('x')).rejects.toMatchObject({ code: 'PROVIDER_FAILURE' });
    await expect(provider(schema, { migrate: false }).ready()).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
    });
  });

  it('with migrate: false, refuses a schema that was never migrated and creates nothing', async () => {
    const schema = randomSchema('mig');
    const p = provider(schema, { migrate: false });
    await expect(p.ready()).rejects.toThrow(/^postgres: schema ".*" is at version 0 but this code needs 1/);
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
