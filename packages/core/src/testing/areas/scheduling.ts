import { BaseJobCallback, type JobContext } from '../../callbacks/base-job-callback.js';
import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { JobManager } from '../../manager/job-manager.js';
import type { JobDocument } from '../../model/job.js';
import { MAX_NEXT_RUNS } from '../../scheduling/schedule-manager.js';
import type { KitContext, KitHarness } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

const MINUTE = 60_000;

/** Jobs a schedule fired, in tick order. */
async function firedBy(h: KitHarness, scheduleId: string): Promise<JobDocument[]> {
  const jobs: JobDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await h.store.query({ scheduleId, limit: 500, cursor });
    jobs.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return jobs.sort((a, b) => a.runAt - b.runAt);
}

/** Moves the store's clock to `epochMs` (forward only). */
async function travelTo(h: KitHarness, epochMs: number): Promise<void> {
  const now = await h.store.now();
  if (epochMs > now) await h.advanceTime!(epochMs - now);
}

/** Scheduling: cron and intervals, DST, misfires, overlap, persisted metadata, racing dispatchers. */
export function schedulingArea({ test, it, needs, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  needs('time-travel')('fires a cron schedule once per tick, at its ticks', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('cron'));
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback] }, h);
    const id = uniqueName('every-5');
    const created = await m.schedule(id, Callback, { cron: '*/5 * * * *' });
    const ticks = await m.nextRuns(id, 3);
    expect(ticks[0]).toBe(created.nextRunAt);
    for (const tick of ticks) {
      expect(tick % (5 * MINUTE)).toBe(0);
      await travelTo(h, tick);
      await d.drain();
      await d.drain();
    }
    const jobs = await firedBy(h, id);
    expect(jobs.map((j) => j.runAt)).toEqual(ticks);
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    expect((await m.getSchedule(id))!.nextRunAt).toBe(ticks[2]! + 5 * MINUTE);
  });

  needs('time-travel')('fires an interval schedule every period from its start', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('every'));
    const m = manager(h, [Callback]);
    const d = dispatcher({ callbacks: [Callback] }, h);
    const id = uniqueName('quarter');
    const start = await h.store.now();
    const created = await m.schedule(id, Callback, { every: '15m' });
    const first = created.nextRunAt!;
    // The interval is anchored when the schedule is written (a moving store clock may have ticked since `start`).
    expect(first).toBeGreaterThanOrEqual(start + 15 * MINUTE);
    expect(await m.nextRuns(id, 2)).toEqual([first, first + 15 * MINUTE]);
    expect(await m.nextRuns(id, MAX_NEXT_RUNS)).toHaveLength(MAX_NEXT_RUNS);
    for (const bad of [MAX_NEXT_RUNS + 1, 1e9, Number.POSITIVE_INFINITY, -1, 1.5]) {
      await expect(m.nextRuns(id, bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'count' });
    }
    await travelTo(h, first);
    await d.drain();
    await travelTo(h, first + 15 * MINUTE);
    await d.drain();
    expect((await firedBy(h, id)).map((j) => j.runAt)).toEqual([first, first + 15 * MINUTE]);
  });

  needs('time-travel')(
    'fires a 02:30 Europe/Berlin job once on DST days (spring: at 03:00; fall: the first 02:30)',
    async () => {
      const h = await open();
      const now = await h.store.now();
      const year = new Date(now).getUTCFullYear() + 1;
      const Callback = defineCallback(uniqueName('dst'));
      const m = manager(h, [Callback]);
      const d = dispatcher({ callbacks: [Callback] }, h);
      const id = uniqueName('berlin');
      await travelTo(h, lastSundayUtc(year, 2) - 36 * 3_600_000);
      await m.schedule(id, Callback, { cron: '30 2 * * *', timezone: 'Europe/Berlin' });
      const spring = lastSundayUtc(year, 2);
      expect(await m.nextRuns(id, 3)).toEqual([
        spring - 86_400_000 + 5_400_000,
        spring + 3_600_000,
        spring + 86_400_000 + 1_800_000,
      ]);
      for (let hour = 0; hour < 72; hour++) {
        await h.advanceTime!(3_600_000);
        await d.drain();
      }
      const fired = (await firedBy(h, id)).map((j) => j.runAt);
      expect(fired.filter((t) => t >= spring && t < spring + 86_400_000)).toEqual([spring + 3_600_000]);
      const fall = lastSundayUtc(year, 9);
      await travelTo(h, fall - 12 * 3_600_000);
      await m.resume(id);
      for (let hour = 0; hour < 24; hour++) {
        await h.advanceTime!(3_600_000);
        await d.drain();
      }
      const onFallDay = (await firedBy(h, id))
        .map((j) => j.runAt)
        .filter((t) => t >= fall && t < fall + 86_400_000);
      expect(onFallDay).toEqual([fall + 1_800_000]);
    },
  );

  for (const [policy, expectRuns] of [
    ['fire-once-now', (n: number) => n === 1],
    ['fire-all', (n: number) => n === 10],
    ['skip', (n: number) => n === 0],
  ] as const) {
    needs('time-travel')(
      `after an hour of downtime, misfire '${policy}' fires the documented number of runs`,
      async () => {
        const h = await open();
        const Callback = defineCallback(uniqueName('misfire'));
        const m = manager(h, [Callback]);
        const d = dispatcher({ callbacks: [Callback] }, h);
        const id = uniqueName(policy);
        const created = await m.schedule(id, Callback, {
          cron: '* * * * *',
          misfire: policy,
          misfireThresholdMs: 1_000,
          catchupWindowMs: 10 * MINUTE,
        });
        // Down for an hour: the dispatcher comes back 30 s after the last tick, so every tick is a misfire.
        await travelTo(h, created.nextRunAt! + 60 * MINUTE + 30_000);
        await d.runSchedules();
        const runs = (await firedBy(h, id)).length;
        expect(expectRuns(runs)).toBe(true);
        const schedule = (await m.getSchedule(id))!;
        expect(schedule.nextRunAt!).toBeGreaterThan(await h.store.now());
      },
    );
  }

  needs('time-travel')(
    "overlap 'skip' drops ticks while the previous run is live; 'queue' holds one; 'allow' fires",
    async () => {
      const h = await open();
      const Callback = defineCallback(uniqueName('overlap'));
      const m = manager(h, [Callback]);
      const d = dispatcher({ callbacks: [Callback] }, h);
      const ids = { skip: uniqueName('skip'), queue: uniqueName('queue'), allow: uniqueName('allow') };
      for (const [overlap, id] of Object.entries(ids)) {
        await m.schedule(id, Callback, { cron: '* * * * *', overlap: overlap as 'skip' | 'queue' | 'allow' });
      }
      const first = (await m.getSchedule(ids.skip))!.nextRunAt!;
      await travelTo(h, first);
      await d.runSchedules();
      await travelTo(h, first + MINUTE);
      await d.runSchedules();
      expect((await firedBy(h, ids.skip)).length).toBe(1);
      expect((await firedBy(h, ids.queue)).length).toBe(1);
      expect((await firedBy(h, ids.allow)).length).toBe(2);
      expect((await m.getSchedule(ids.queue))!.nextRunAt).toBe(first + MINUTE);
      await d.drain();
      await d.runSchedules();
      const queued = await firedBy(h, ids.queue);
      expect(queued.map((j) => j.runAt)).toEqual([first, first + MINUTE]);
      expect((await firedBy(h, ids.skip)).length).toBe(1);
    },
  );

  needs('time-travel')(
    'merges schedule metadata over callback defaults and persists it across runs',
    async () => {
      const h = await open();
      const name = uniqueName('report');
      type ReportData = { recipient: string; runs: number };
      class SalesReport extends BaseJobCallback<ReportData> {
        static jobName = name;
        static defaultMetadata = { recipient: 'nobody', runs: 0 };
        static persistMetadata = true;
        execute(_ctx: JobContext<ReportData>) {
          this.metadata = { ...this.metadata, runs: this.metadata.runs + 1 };
          return JobExecutionResult.success(this.metadata.recipient);
        }
      }
      const m = manager(h, [SalesReport]);
      const d = dispatcher({ callbacks: [SalesReport] }, h);
      const joyce = uniqueName('joyce');
      const mike = uniqueName('mike');
      await m.schedule(joyce, SalesReport, {
        every: '1m',
        metadata: { recipient: 'joyce' },
        persistMetadata: true,
      });
      await m.schedule(mike, SalesReport, { every: '1m', metadata: { recipient: 'mike' } });
      for (let i = 0; i < 3; i++) {
        await h.advanceTime!(MINUTE);
        await d.drain();
      }
      expect((await firedBy(h, joyce)).map((j) => j.metadata)).toEqual([
        { recipient: 'joyce', runs: 0 },
        { recipient: 'joyce', runs: 1 },
        { recipient: 'joyce', runs: 2 },
      ]);
      expect((await m.getSchedule(joyce))!.metadata).toEqual({ recipient: 'joyce', runs: 3 });
      expect((await firedBy(h, mike)).map((j) => j.result)).toEqual(['mike', 'mike', 'mike']);
      expect((await m.getSchedule(mike))!.metadata).toEqual({ recipient: 'mike', runs: 3 });
    },
  );

  needs('time-travel')(
    'fires each tick exactly once with four dispatchers racing for 200 ticks',
    async () => {
      const h = await open();
      const Callback = defineCallback(uniqueName('race'));
      const m = manager(h, [Callback]);
      const peer = await h.openPeerStore?.();
      const racers = [0, 1, 2, 3].map((i) =>
        dispatcher({ callbacks: [Callback], ...(i % 2 && peer ? { store: peer } : {}) }, h),
      );
      const id = uniqueName('tick');
      await m.schedule(id, Callback, { every: '1m' });
      for (let tick = 0; tick < 200; tick++) {
        await h.advanceTime!(MINUTE);
        await Promise.all(racers.map((d) => d.runSchedules()));
      }
      const jobs = await firedBy(h, id);
      expect(jobs).toHaveLength(200);
      expect(new Set(jobs.map((j) => j.key)).size).toBe(200);
    },
    120_000,
  );

  needs('time-travel')(
    'skips excluded dates and calendar days without counting them as misfires',
    async () => {
      const h = await open();
      const Callback = defineCallback(uniqueName('cal'));
      const now = await h.store.now();
      const day = 86_400_000;
      const tomorrow = new Date(Math.floor(now / day) * day + day).toISOString().slice(0, 10);
      const m = new JobManager({
        store: h.store,
        callbacks: [Callback],
        calendars: { weekdays: (t) => [0, 6].includes(new Date(t).getUTCDay()) },
      });
      const id = uniqueName('daily');
      await m.schedule(id, Callback, { cron: '0 9 * * *', excludeDates: [tomorrow] });
      const runs = await m.nextRuns(id, 3);
      expect(runs.map((t) => new Date(t).toISOString().slice(0, 10))).not.toContain(tomorrow);
      const wd = uniqueName('weekdays');
      await m.schedule(wd, Callback, { cron: '0 9 * * *', calendar: 'weekdays' });
      for (const t of await m.nextRuns(wd, 10)) expect([0, 6]).not.toContain(new Date(t).getUTCDay());
    },
  );

  needs('time-travel')(
    'pauses, resumes without back-filling, updates, unschedules, and rejects bad expressions with a position',
    async () => {
      const h = await open();
      const Callback = defineCallback(uniqueName('life'));
      const m = manager(h, [Callback]);
      const d = dispatcher({ callbacks: [Callback] }, h);
      const id = uniqueName('paused');
      await m.schedule(id, Callback, { every: '1m' });
      await m.pause(id);
      await h.advanceTime!(10 * MINUTE);
      await d.drain();
      expect(await firedBy(h, id)).toHaveLength(0);
      const resumed = await m.resume(id);
      expect(resumed.nextRunAt!).toBeGreaterThan(await h.store.now());
      const updated = await m.updateSchedule(id, { every: '5m', metadata: { v: 2 } });
      expect(updated).toMatchObject({ everyMs: 5 * MINUTE, metadata: { v: 2 }, paused: false });
      expect((await m.listSchedules()).map((s) => s.id)).toContain(id);
      expect((await m.list({})).items.map((j) => j.name)).not.toContain('jobservice:schedule');
      expect(await m.unschedule(id)).toBe(true);
      expect(await m.getSchedule(id)).toBeNull();
      await expect(m.schedule(uniqueName('bad'), Callback, { cron: '0 25 * * *' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'options.cron',
      });
      await expect(m.schedule(uniqueName('bad'), Callback, { cron: '0 25 * * *' })).rejects.toThrow(
        /hour field '25' at position 3/,
      );
      await expect(m.schedule(uniqueName('bad'), Callback, { every: '15 minutes' })).rejects.toThrow(/every/);
      await expect(
        m.schedule(uniqueName('bad'), Callback, { cron: '* * * * *', timezone: 'Mars/Olympus' }),
      ).rejects.toThrow(/IANA/);
    },
  );

  it('refuses schedules that are wrong or could never fire, naming the field, writing nothing', async () => {
    const h = await open();
    const Callback = defineCallback(uniqueName('wrong'));
    const m = new JobManager({ store: h.store, callbacks: [Callback], calendars: { holidays: () => false } });
    const now = await h.store.now();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ cron: '0 9 * * *', calendar: 'no-such-calendar' }, 'options.calendar', /holidays/],
      [{ cron: '0 9 * * *', excludeDates: ['2026-13-45'] }, 'options.excludeDates[0]', /calendar date/],
      [
        { cron: '0 9 * * *', excludeDates: ['2026-01-01', '2026-02-30'] },
        'options.excludeDates[1]',
        /2026-02-30/,
      ],
      [{ every: 1 }, 'options.every', /1000 ms/],
      [{ every: '500ms' }, 'options.every', /MIN_EVERY_MS/],
      [{ cron: '0 0 30 2 *' }, 'options.cron', /never fires/],
      [{ cron: '0 0 0 1 1 * 2030' }, 'options.cron', /7 field/],
      [
        { every: '1h', startAt: now + 2 * 3_600_000, endAt: now + 3_600_000 },
        'options.endAt',
        /before options.startAt/,
      ],
      [{ at: new Date(8.64e15) }, 'options.at', /9999/],
    ];
    for (const [options, field, message] of cases) {
      const id = uniqueName('wrong');
      const error = await m.schedule(id, Callback, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ options, error }).toMatchObject({ options, error: { code: 'INVALID_INPUT', field } });
      expect(message.test(String((error as Error).message))).toBe(true);
      expect(await m.getSchedule(id)).toBeNull();
    }
    expect(
      await m.schedule(uniqueName('ok'), Callback, { cron: '0 9 * * *', calendar: 'holidays' }),
    ).toMatchObject({
      calendar: 'holidays',
    });
  });
}

/** The UTC midnight starting the last Sunday of `month` (0-based) in `year`: EU DST change days. */
function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
}
