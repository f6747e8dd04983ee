import type { Cron } from 'croner';
import type { ScheduleDocument } from '../model/schedule.js';
import { localDate, parseCron } from './cron-expression.js';

/** A calendar: true when the day of `epochMs` (in `timezone`) is excluded. */
export type Calendar = (epochMs: number, timezone: string | null) => boolean;

/** The trigger part of a schedule: what decides its ticks. */
export type TriggerSpec = Pick<
  ScheduleDocument,
  'cron' | 'everyMs' | 'at' | 'timezone' | 'startAt' | 'endAt' | 'excludeDates' | 'calendar'
>;

/** Most excluded ticks skipped while looking for the next one (a calendar that excludes everything ends there). */
const MAX_SKIPPED = 10_000;

const cronCache = new Map<string, Cron>();

function cronOf(expression: string, timezone: string | null): Cron {
  const cacheKey = `${timezone ?? 'UTC'}\u0000${expression}`;
  let cron = cronCache.get(cacheKey);
  if (!cron) {
    cron = parseCron(expression, timezone);
    if (cronCache.size > 1_000) cronCache.clear();
    cronCache.set(cacheKey, cron);
  }
  return cron;
}

/** The raw next tick strictly after `after`, ignoring exclusions and bounds; `null` when none. */
function rawNext(spec: TriggerSpec, after: number): number | null {
  if (spec.at !== null) return spec.at > after ? spec.at : null;
  if (spec.everyMs !== null) {
    // Interval schedules are anchored at startAt (set to the creation time when not given).
    const anchor = spec.startAt ?? 0;
    if (after < anchor) return anchor;
    return anchor + (Math.floor((after - anchor) / spec.everyMs) + 1) * spec.everyMs;
  }
  if (spec.cron !== null) {
    const next = cronOf(spec.cron, spec.timezone).nextRun(new Date(after));
    return next ? next.getTime() : null;
  }
  return null;
}

/** True when the tick falls on an excluded date or a calendar's excluded day. */
export function isExcluded(
  spec: TriggerSpec,
  tick: number,
  calendars: ReadonlyMap<string, Calendar>,
): boolean {
  if (spec.excludeDates.length > 0 && spec.excludeDates.includes(localDate(tick, spec.timezone))) return true;
  if (spec.calendar !== null) {
    const calendar = calendars.get(spec.calendar);
    if (calendar?.(tick, spec.timezone)) return true;
  }
  return false;
}

/**
 * The next tick strictly after `after` that is within `startAt`/`endAt` and
 * not excluded; `null` when the schedule has no more.
 */
export function nextTick(
  spec: TriggerSpec,
  after: number,
  calendars: ReadonlyMap<string, Calendar> = new Map(),
): number | null {
  let cursor = spec.startAt !== null && after < spec.startAt ? spec.startAt - 1 : after;
  for (let skipped = 0; skipped <= MAX_SKIPPED; skipped++) {
    const tick = rawNext(spec, cursor);
    if (tick === null || (spec.endAt !== null && tick > spec.endAt)) return null;
    if (!isExcluded(spec, tick, calendars)) return tick;
    cursor = tick;
  }
  return null;
}

/** Up to `count` ticks after `after`, in order. */
export function nextTicks(
  spec: TriggerSpec,
  after: number,
  count: number,
  calendars: ReadonlyMap<string, Calendar> = new Map(),
): number[] {
  const ticks: number[] = [];
  let cursor = after;
  while (ticks.length < count) {
    const tick = nextTick(spec, cursor, calendars);
    if (tick === null) break;
    ticks.push(tick);
    cursor = tick;
  }
  return ticks;
}
