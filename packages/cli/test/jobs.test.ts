import type { JobDocument } from '@jobservice/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fsFixture, postgresFixture, type StoreFixture, seedFailed } from './helpers/stores.js';

interface Page {
  items: JobDocument[];
  cursor: string | null;
}

const kinds = [
  ['fs', () => fsFixture()],
  ['postgres', () => postgresFixture(inject('databaseUrl'))],
] as const;

describe.each(kinds)('jobs on a %s store', (_kind, open) => {
  let fx: StoreFixture;
  let emails: string[];
  let reports: string[];
  let failed: string[];

  beforeAll(async () => {
    fx = await open();
    emails = (
      await fx.manager.enqueueMany([
        {
          callback: 'send-email',
          metadata: { to: 'ada@example.com' },
          options: { labels: { tenant: 'acme' } },
        },
        {
          callback: 'send-email',
          metadata: { to: 'grace@example.com' },
          options: { labels: { tenant: 'globex' } },
        },
      ])
    ).map((r) => r.id);
    reports = (
      await fx.manager.enqueueMany([
        { callback: 'build-report', metadata: { month: '2026-01' }, options: { delayMs: 3_600_000 } },
        { callback: 'build-report', metadata: { month: '2026-02' }, options: { delayMs: 3_600_000 } },
        { callback: 'build-report', metadata: { month: '2026-03' }, options: { delayMs: 3_600_000 } },
      ])
    ).map((r) => r.id);
    failed = await seedFailed(fx, 'charge-card', 3);
  });
  afterAll(async () => {
    await fx?.destroy();
  });

  it('lists jobs filtered by status, name and label, as JSON', async () => {
    const all = await fx.json<Page>('list', '--json');
    expect(all.items.map((j) => j.id).sort()).toEqual([...emails, ...reports, ...failed].sort());
    expect(all.cursor).toBeNull();

    const byStatus = await fx.json<Page>('list', '--status', 'failed', '--json');
    expect(byStatus.items.map((j) => j.id).sort()).toEqual([...failed].sort());

    const byName = await fx.json<Page>('list', '--name', 'build-report', '--json');
    expect(byName.items.map((j) => j.id).sort()).toEqual([...reports].sort());

    const byLabel = await fx.json<Page>('list', '--label', 'tenant=acme', '--json');
    expect(byLabel.items.map((j) => j.id)).toEqual([emails[0]]);

    const both = await fx.json<Page>(
      'list',
      '--status',
      'scheduled',
      '--name',
      'send-email',
      '--name',
      'charge-card',
      '--json',
    );
    expect(both.items.map((j) => j.id).sort()).toEqual([...emails].sort());
  });

  it('pages with --limit and --cursor', async () => {
    const first = await fx.json<Page>('list', '--name', 'build-report', '--limit', '2', '--json');
    expect(first.items).toHaveLength(2);
    expect(first.cursor).not.toBeNull();
    const second = await fx.json<Page>(
      'list',
      '--name',
      'build-report',
      '--limit',
      '2',
      '--cursor',
      String(first.cursor),
      '--json',
    );
    expect([...first.items, ...second.items].map((j) => j.id).sort()).toEqual([...reports].sort());
  });

  it('prints an aligned table with the next cursor', async () => {
    const { code, stdout } = await fx.cli('list', '--name', 'charge-card', '--limit', '2');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+ATTEMPT\s+RUN AT\s+ERROR$/);
    const statusColumn = lines[0]?.indexOf('STATUS');
    for (const line of lines.slice(1, 3)) {
      expect(line.indexOf('failed')).toBe(statusColumn);
      expect(line).toContain('charge-card broke');
      expect(line).toContain('1/');
    }
    expect(lines[3]).toMatch(/^next page: --cursor \S+$/);
  });

  it('inspects a job, and exits 1 with one line for an unknown id', async () => {
    const job = await fx.json<JobDocument>('inspect', emails[0] as string, '--json');
    expect(job).toMatchObject({ id: emails[0], name: 'send-email', metadata: { to: 'ada@example.com' } });

    const human = await fx.cli('inspect', failed[0] as string);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^id:\s+\S+$/m);
    expect(human.stdout).toMatch(/^status:\s+failed$/m);
    expect(human.stdout).toContain('"message": "charge-card broke"');
    expect(human.stdout).toMatch(/^attempts:\n {2}#1 {2}\S+ {2}failed {2}charge-card broke \(PERMANENT\)$/m);
    expect(human.stdout).toMatch(/^log:\n {2}\S+ {2}#1 {2}warn {3}about to break {2}\{"step":"charge"\}$/m);

    const missing = await fx.cli('inspect', 'no-such-job');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('jobservice: job not found: no-such-job\n');
    expect(missing.stdout).toBe('');
  });

  it('retries one failed job and refuses one that is not failed', async () => {
    const id = failed[0] as string;
    const result = await fx.cli('retry', id);
    expect(result).toMatchObject({ code: 0, stdout: `retried ${id}\n` });
    expect(await fx.manager.get(id)).toMatchObject({ status: 'scheduled', attempt: 0 });

    const again = await fx.cli('retry', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `jobservice: job ${id} is scheduled; only failed or cancelled jobs can be retried\n`,
    );

    const missing = await fx.cli('retry', 'no-such-job');
    expect(missing).toMatchObject({ code: 1, stderr: 'jobservice: job not found: no-such-job\n' });
  });

  it('cancels and deletes jobs; unknown ids exit 1', async () => {
    const id = reports[2] as string;
    expect(await fx.cli('cancel', id)).toMatchObject({ code: 0, stdout: `cancelled ${id}\n` });
    expect((await fx.manager.get(id))?.status).toBe('cancelled');

    const twice = await fx.cli('cancel', id);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      /^jobservice: job \S+ has already ended \(cancelled\); nothing to cancel\n$/,
    );

    expect(await fx.cli('delete', id)).toMatchObject({ code: 0, stdout: `deleted ${id}\n` });
    expect(await fx.manager.get(id)).toBeNull();

    expect(await fx.cli('cancel', id)).toMatchObject({
      code: 1,
      stderr: `jobservice: job not found: ${id}\n`,
    });
    expect(await fx.cli('delete', id)).toMatchObject({
      code: 1,
      stderr: `jobservice: job not found: ${id}\n`,
    });
  });

  it('refuses to delete a running job, with the reason', async () => {
    const { id } = await fx.manager.enqueue('long-task', {});
    const [claimed] =
      (await fx.store.claim?.({ names: ['long-task'], limit: 1, leaseMs: 60_000, workerId: 'test' })) ?? [];
    expect(claimed?.id).toBe(id);
    const result = await fx.cli('delete', id);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^jobservice: job \S+ is running: cancel it, then delete it once it has ended\n$/,
    );
    expect((await fx.manager.get(id))?.status).toBe('running');
  });
});
