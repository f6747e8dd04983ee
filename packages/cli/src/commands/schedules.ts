import type { JobManager, ScheduleDocument } from '@jobservice/core';
import type { CommandContext } from '../context.js';
import { CliError, isNotFound } from '../errors.js';
import { formatTable } from '../format/table.js';
import { formatInterval, formatTime } from '../format/values.js';

/** Options of `jobservice schedules`. */
export interface SchedulesOptions {
  json?: boolean;
}

/** A schedule with its next fire time, as `schedules --json` prints it. */
export interface ScheduleRow extends ScheduleDocument {
  /** The next fire time (epoch ms), `null` when it will not fire again (or cannot be previewed here). */
  nextRun: number | null;
}

/** `jobservice schedules`: every schedule with its trigger, zone, pause state and next run. */
export async function schedulesCommand(ctx: CommandContext, options: SchedulesOptions): Promise<void> {
  const rows = await ctx.withStore({}, async ({ manager }) => {
    const schedules = await manager.listSchedules();
    return Promise.all(
      schedules.map(
        async (schedule): Promise<ScheduleRow> => ({
          ...schedule,
          nextRun: await nextRun(manager, schedule),
        }),
      ),
    );
  });
  if (options.json) {
    ctx.printJson(rows);
    return;
  }
  if (rows.length === 0) {
    ctx.print('no schedules');
    return;
  }
  ctx.print(
    formatTable(rows, [
      { header: 'ID', value: (s) => s.id },
      { header: 'NAME', value: (s) => s.name },
      { header: 'CRON/EVERY', value: trigger },
      { header: 'TIMEZONE', value: (s) => s.timezone ?? 'UTC' },
      {
        header: 'PAUSED',
        value: (s) => (s.paused ? 'yes' : 'no'),
        style: (padded, s) => (s.paused ? ctx.colors.yellow(padded) : padded),
      },
      { header: 'NEXT RUN', value: (s) => formatTime(s.nextRun) },
    ]),
  );
}

/** How a schedule fires: its cron expression, `every 15m`, or `at <time>`. */
function trigger(schedule: ScheduleDocument): string {
  if (schedule.cron !== null) return schedule.cron;
  if (schedule.everyMs !== null) return `every ${formatInterval(schedule.everyMs)}`;
  if (schedule.at !== null) return `at ${formatTime(schedule.at)}`;
  return '-';
}

/** The next fire time; `null` when it has ended or names a calendar this process does not have. */
async function nextRun(manager: JobManager, schedule: ScheduleDocument): Promise<number | null> {
  try {
    return (await manager.nextRuns(schedule.id, 1))[0] ?? null;
  } catch {
    return null;
  }
}

/** Options of `jobservice run-schedule`. */
export interface RunScheduleOptions {
  json?: boolean;
}

/** `jobservice run-schedule <id>`: fires a schedule once now; prints the job's id. */
export async function runScheduleCommand(
  ctx: CommandContext,
  id: string,
  options: RunScheduleOptions,
): Promise<void> {
  const result = await ctx.withStore({ queue: true }, async ({ manager }) => {
    try {
      return await manager.runScheduleNow(id);
    } catch (error) {
      if (isNotFound(error)) throw new CliError(`schedule not found: ${id}`, undefined, { cause: error });
      throw error;
    }
  });
  if (options.json) ctx.printJson(result);
  else ctx.print(result.created ? result.id : `${result.id} (already fired at this time)`);
}
