import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fsFixture, postgresFixture, type StoreFixture } from './helpers/stores.js';

interface ScheduleRow {
  id: string;
  name: string;
  cron: string | null;
  everyMs: number | null;
  timezone: string | null;
  paused: boolean;
  nextRun: number | null;
}

const kinds = [
  ['fs', () => fsFixture()],
  ['postgres', () => postgresFixture(inject('databaseUrl'))],
] as const;

describe.each(kinds)('schedules on a %s store', (_kind, open) => {
  let fx: StoreFixture;

  beforeAll(async () => {
    fx = await open();
    await fx.manager.schedule('nightly-report', 'build-report', {
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      metadata: { scope: 'all' },
    });
    await fx.manager.schedule('digest', 'send-digest', { every: '15m' });
    await fx.manager.pause('digest');
  });
  afterAll(async () => {
    await fx?.destroy();
  });

  it('lists schedules with their next run, as JSON', async () => {
    const rows = await fx.json<ScheduleRow[]>('schedules', '--json');
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get('nightly-report')).toMatchObject({
      name: 'build-report',
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      paused: false,
    });
    expect(byId.get('nightly-report')?.nextRun).toBe((await fx.manager.nextRuns('nightly-report', 1))[0]);
    expect(byId.get('digest')).toMatchObject({ name: 'send-digest', everyMs: 900_000, paused: true });
  });

  it('prints a table of schedules', async () => {
    const { code, stdout } = await fx.cli('schedules');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CRON\/EVERY\s+TIMEZONE\s+PAUSED\s+NEXT RUN$/);
    expect(stdout).toMatch(
      /^nightly-report\s+build-report\s+0 2 \* \* \*\s+Europe\/Berlin\s+no\s+\d{4}-\d\d-\d\dT/m,
    );
    expect(stdout).toMatch(/^digest\s+send-digest\s+every 15m\s+UTC\s+yes\s+/m);
  });

  it('fires a schedule now and prints the job id', async () => {
    const { code, stdout } = await fx.cli('run-schedule', 'nightly-report');
    expect(code).toBe(0);
    const id = stdout.trim();
    const job = await fx.manager.get(id);
    expect(job).toMatchObject({ name: 'build-report', scheduleId: 'nightly-report', status: 'scheduled' });
    expect(job?.metadata).toMatchObject({ scope: 'all' });
  });

  it('exits 1 for an unknown schedule', async () => {
    const result = await fx.cli('run-schedule', 'no-such-schedule');
    expect(result).toMatchObject({ code: 1, stderr: 'jobservice: schedule not found: no-such-schedule\n' });
  });
});
