import type { ScheduleDocument } from '../model/schedule.js';
import { type Calendar, nextTick } from './ticks.js';

/** What one look at a due schedule decides. */
export interface FirePlan {
  /** Ticks to fire now, each one job. */
  fires: number[];
  /** Ticks that came due but are not fired (misfires skipped, or older than the catch-up window). */
  dropped: number;
  /** The next tick after `now`; `null` when the schedule has ended. */
  nextRunAt: number | null;
}

/** Most due ticks one look collects (a schedule that was down for years does not loop forever). */
const MAX_DUE_TICKS = 100_000;

/**
 * Applies the misfire policy to the ticks due at `now`. A tick seen within
 * `misfireThresholdMs` of its time is on time and always fires; older ones
 * are misfires: `fire-once-now` fires the latest due tick once for all of
 * them, `fire-all` fires each within `catchupWindowMs`, `skip` fires none.
 */
export function planFires(
  schedule: ScheduleDocument,
  now: number,
  calendars: ReadonlyMap<string, Calendar> = new Map(),
): FirePlan {
  const due: number[] = [];
  let tick = schedule.nextRunAt;
  while (tick !== null && tick <= now && due.length < MAX_DUE_TICKS) {
    due.push(tick);
    tick = nextTick(schedule, tick, calendars);
  }
  while (tick !== null && tick <= now) tick = nextTick(schedule, tick, calendars);
  const nextRunAt = tick;
  const onTime = due.filter((t) => now - t <= schedule.misfireThresholdMs);
  const missed = due.length - onTime.length;
  let fires: number[];
  if (missed === 0) fires = onTime;
  else if (schedule.misfire === 'fire-once-now') fires = [due[due.length - 1] as number];
  else if (schedule.misfire === 'fire-all') fires = due.filter((t) => now - t <= schedule.catchupWindowMs);
  else fires = onTime;
  return { fires, dropped: due.length - fires.length, nextRunAt };
}
