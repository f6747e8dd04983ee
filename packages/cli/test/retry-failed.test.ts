import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fsFixture, postgresFixture, type StoreFixture, seedFailed } from './helpers/stores.js';

const kinds = [
  ['fs', () => fsFixture()],
  ['postgres', () => postgresFixture(inject('databaseUrl'))],
] as const;

describe.each(kinds)('retry --failed on a %s store', (_kind, open) => {
  let fx: StoreFixture;
  let charges: string[];
  let exports: string[];

  beforeAll(async () => {
    fx = await open();
    charges = await seedFailed(fx, 'charge-card', 150);
    exports = await seedFailed(fx, 'export-csv', 5);
  }, 120_000);
  afterAll(async () => {
    await fx?.destroy();
  });

  it('retries only the named callback with --name', async () => {
    const summary = await fx.json<{ retried: number; skipped: number }>(
      'retry',
      '--failed',
      '--name',
      'export-csv',
      '--json',
    );
    expect(summary).toEqual({ retried: 5, skipped: 0 });
    for (const id of exports) expect((await fx.manager.get(id))?.status).toBe('scheduled');
    expect(await fx.count('failed', 'charge-card')).toBe(150);
  });

  it('retries every failed job across pages, none skipped', async () => {
    const result = await fx.cli('retry', '--failed');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('retried 150 of 150 failed jobs\n');
    expect(result.stderr).toBe('');
    expect(await fx.count('failed')).toBe(0);
    for (const id of charges) {
      expect(await fx.manager.get(id)).toMatchObject({ status: 'scheduled', attempt: 0 });
    }
  });

  it('reports nothing to do when no job has failed', async () => {
    expect(await fx.json('retry', '--failed', '--json')).toEqual({ retried: 0, skipped: 0 });
  });

  it('refuses mixed or missing arguments without touching the store', async () => {
    const both = await fx.cli('retry', 'some-id', '--failed');
    expect(both).toMatchObject({
      code: 2,
      stderr: 'jobservice: retry takes a job id or --failed, not both\n',
    });
    const neither = await fx.cli('retry');
    expect(neither).toMatchObject({ code: 2, stderr: 'jobservice: retry needs a job id or --failed\n' });
    const nameAlone = await fx.cli('retry', 'some-id', '--name', 'charge-card');
    expect(nameAlone.code).toBe(2);
  });
});
