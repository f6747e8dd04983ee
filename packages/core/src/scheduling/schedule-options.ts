import type { Backoff } from '../callbacks/backoff.js';
import { toStoredBackoff } from '../callbacks/backoff.js';
import { InvalidInputError } from '../errors.js';
import { INPUT_LIMITS } from '../model/input-limits.js';
import { assertJson, type JsonValue } from '../model/json.js';
import { checkLabels } from '../model/labels.js';
import type { MisfirePolicy, OverlapPolicy } from '../model/schedule.js';
import { assertTimeZone, parseCron, parseEvery } from './cron-expression.js';
import type { ScheduleFields } from './schedule-repository.js';

/** How a schedule fires; exactly one of `cron`, `every`, `at`. */
export interface ScheduleOptions {
  /**
   * Cron: 5 fields, or 6 with seconds; `L`, `W`, `#`, names; `@yearly` …
   * `@hourly`; `@once` (fire once, now). An expression that never fires
   * (30 February) is refused.
   */
  cron?: string;
  /** An interval: `'15m'`, `'1h30m'`, `'90s'`, or ms, at least 1 s (`MIN_EVERY_MS`). Anchored at `startAt`, else at creation. */
  every?: string | number;
  /** A one-off fire time (Date or epoch ms on the store's clock). */
  at?: Date | number;
  /** IANA time zone of the cron expression and excluded dates. @default 'UTC' */
  timezone?: string;
  /** Merged over the callback's static `defaultMetadata` for each run. @default {} */
  metadata?: JsonValue;
  /** Missed ticks after downtime. @default 'fire-once-now' */
  misfire?: MisfirePolicy;
  /** How late a tick may be seen before it counts as missed. @default 60_000 */
  misfireThresholdMs?: number;
  /** With `misfire: 'fire-all'`, catch up ticks no older than this. @default 1 hour */
  catchupWindowMs?: number;
  /** Ticks while the previous run is live. @default 'allow', or 'skip' with `persistMetadata` */
  overlap?: OverlapPolicy;
  /** Write the callback's `metadata` back to the schedule after each successful run. @default false */
  persistMetadata?: boolean;
  /** No ticks before this. */
  startAt?: Date | number;
  /** No ticks after this (not before `startAt`). */
  endAt?: Date | number;
  /** Each fired job is due up to this many ms after its tick. @default 0 */
  jitterMs?: number;
  /** Skip ticks on these dates (`YYYY-MM-DD` in the schedule's zone). */
  excludeDates?: string[];
  /**
   * Skip ticks on days this calendar excludes. It must be registered with
   * the manager that writes the schedule (`calendars`) and with the
   * dispatchers that fire it.
   */
  calendar?: string;
  /** Options of each fired job. */
  priority?: number;
  maxAttempts?: number;
  backoff?: Exclude<Backoff, (...args: never[]) => unknown>;
  timeoutMs?: number;
  /** Labels every fired job carries (see `EnqueueOptions.labels`). */
  labels?: Record<string, string>;
}

/** The documented pattern for schedule ids (as for callback names). */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Validates schedule options (naming the field) and builds the stored fields, `nextRunAt` left to the caller. */
export function buildScheduleFields(
  id: string,
  name: string,
  options: ScheduleOptions,
  now: number,
  calendars: ReadonlySet<string> = new Set(),
): Omit<ScheduleFields, 'nextRunAt' | 'lastFireAt' | 'lastJobId' | 'paused'> {
  if (typeof id !== 'string' || !SCHEDULE_ID_PATTERN.test(id)) {
    throw new InvalidInputError(
      'id',
      `${JSON.stringify(id)} is not a valid schedule id; use 1–128 of A–Z a–z 0–9 . _ : -`,
    );
  }
  if (!options || typeof options !== 'object')
    throw new InvalidInputError('options', 'pass { cron | every | at, … }');
  const triggers = (['cron', 'every', 'at'] as const).filter((k) => options[k] !== undefined);
  if (triggers.length !== 1) {
    throw new InvalidInputError(
      'options',
      `give exactly one of cron, every or at (got ${triggers.join(', ') || 'none'})`,
    );
  }
  const timezone = options.timezone ?? null;
  if (timezone !== null) assertTimeZone(timezone, 'options.timezone');
  let cron: string | null = null;
  let at: number | null = null;
  if (options.cron !== undefined) {
    if (typeof options.cron === 'string' && options.cron.trim() === '@once') at = now;
    else {
      parseCron(options.cron, timezone, 'options.cron');
      cron = options.cron.trim();
    }
  }
  if (options.at !== undefined) at = time(options.at, 'options.at');
  const everyMs = options.every === undefined ? null : parseEvery(options.every, 'options.every');
  const metadata = options.metadata ?? {};
  assertJson(metadata, 'metadata');
  const persistMetadata = bool(options.persistMetadata ?? false, 'options.persistMetadata');
  const startAt = options.startAt === undefined ? null : time(options.startAt, 'options.startAt');
  const endAt = options.endAt === undefined ? null : time(options.endAt, 'options.endAt');
  if (startAt !== null && endAt !== null && endAt < startAt) {
    throw new InvalidInputError(
      'options.endAt',
      `(${new Date(endAt).toISOString()}) is before options.startAt (${new Date(startAt).toISOString()}): the schedule could never fire`,
    );
  }
  const calendar = options.calendar === undefined ? null : calendarName(options.calendar, calendars);
  return {
    id,
    name,
    cron,
    everyMs,
    at,
    timezone,
    metadata,
    misfire: oneOf(
      options.misfire ?? 'fire-once-now',
      ['fire-once-now', 'fire-all', 'skip'],
      'options.misfire',
    ),
    misfireThresholdMs: ms(options.misfireThresholdMs ?? 60_000, 'options.misfireThresholdMs'),
    catchupWindowMs: ms(options.catchupWindowMs ?? 3_600_000, 'options.catchupWindowMs'),
    overlap: oneOf(
      options.overlap ?? (persistMetadata ? 'skip' : 'allow'),
      ['allow', 'skip', 'queue'],
      'options.overlap',
    ),
    persistMetadata,
    startAt,
    endAt,
    jitterMs: ms(options.jitterMs ?? 0, 'options.jitterMs'),
    excludeDates: dates(options.excludeDates ?? []),
    calendar,
    job: {
      priority: int(options.priority ?? 0, 'options.priority'),
      maxAttempts:
        options.maxAttempts === undefined ? null : int(options.maxAttempts, 'options.maxAttempts', 1),
      backoff: options.backoff === undefined ? null : toStoredBackoff(options.backoff, 'options.backoff'),
      timeoutMs: options.timeoutMs === undefined ? null : ms(options.timeoutMs, 'options.timeoutMs'),
      labels: checkLabels(options.labels, 'options.labels'),
    },
  };
}

function time(value: unknown, field: string): number {
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > INPUT_LIMITS.maxRunAt) {
    throw new InvalidInputError(field, 'must be a valid Date or epoch ms between 1970 and the end of 9999');
  }
  return Math.round(t);
}

function ms(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(field, `must be a number of milliseconds ≥ 0, got ${String(value)}`);
  }
  return Math.round(value);
}

function int(value: unknown, field: string, min = -(2 ** 31)): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new InvalidInputError(field, `must be a whole number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidInputError(field, 'must be true or false');
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T))
    throw new InvalidInputError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function dates(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidInputError('options.excludeDates', "must be an array of 'YYYY-MM-DD' dates");
  }
  value.forEach((d, i) => {
    if (!isCalendarDate(d)) {
      throw new InvalidInputError(
        `options.excludeDates[${i}]`,
        `${JSON.stringify(d)} is not a calendar date; use 'YYYY-MM-DD' (e.g. '2026-12-25')`,
      );
    }
  });
  return [...value];
}

/** True for a `YYYY-MM-DD` string naming a real day (no 2026-13-45, no 2026-02-30). */
function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function calendarName(value: unknown, known: ReadonlySet<string>): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError('options.calendar', 'must be the name of a registered calendar');
  }
  if (!known.has(value)) {
    const names = known.size > 0 ? `: ${[...known].join(', ')}` : ' (none are)';
    throw new InvalidInputError(
      'options.calendar',
      `'${value}' is not a calendar this manager knows${names}; pass calendars: { '${value}': (epochMs, timezone) => excluded } to the JobManager (and to the dispatchers)`,
    );
  }
  return value;
}
