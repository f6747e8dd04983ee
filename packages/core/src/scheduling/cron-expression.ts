import { Cron } from 'croner';
import { InvalidInputError } from '../errors.js';

const FIELD_NAMES: Record<number, string[]> = {
  5: ['minute', 'hour', 'day of month', 'month', 'day of week'],
  6: ['second', 'minute', 'hour', 'day of month', 'month', 'day of week'],
};

/** The shortest `every` interval a schedule may have (one job a second). */
export const MIN_EVERY_MS = 1_000;

/**
 * Parses a cron expression with croner: 5 fields, or 6 with seconds first;
 * `L`, `W`, `#`, names (`MON-FRI`, `JAN`) and the shorthands `@yearly`,
 * `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. An
 * invalid expression throws an {@link InvalidInputError} naming the field
 * and the character position of the error.
 */
export function parseCron(expression: unknown, timezone: string | null, field = 'cron'): Cron {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidInputError(field, "must be a cron expression such as '0 9 * * MON-FRI' or '@daily'");
  }
  const fields = expression.trim().startsWith('@') ? 0 : expression.trim().split(/\s+/).length;
  if (fields !== 0 && !FIELD_NAMES[fields]) {
    throw new InvalidInputError(
      field,
      `'${expression}' has ${fields} field(s); use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: timezone ?? 'UTC', paused: true, legacyMode: true });
  } catch (error) {
    throw new InvalidInputError(field, describeCronError(expression, error), { cause: error });
  }
  if (cron.nextRun() === null) {
    throw new InvalidInputError(field, `'${expression}' never fires (no date matches it, e.g. 30 February)`);
  }
  return cron;
}

/** Builds a message naming the field and position of the first bad part of `expression`. */
function describeCronError(expression: string, error: unknown): string {
  const reason = (error as Error)?.message?.replace(/^CronPattern: /, '') ?? String(error);
  if (expression.trim().startsWith('@')) {
    return `unknown shorthand '${expression.trim()}' (use @yearly, @monthly, @weekly, @daily, @hourly or @once)`;
  }
  const parts = [...expression.matchAll(/\S+/g)];
  const names = FIELD_NAMES[parts.length];
  if (!names) {
    return `'${expression}' has ${parts.length} field(s); use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`;
  }
  for (let i = 0; i < parts.length; i++) {
    const probe = parts.map((p, j) => (j === i ? p[0] : '*')).join(' ');
    try {
      new Cron(probe, { paused: true, legacyMode: true });
    } catch {
      const part = parts[i] as RegExpMatchArray;
      return `'${expression}': ${names[i]} field '${part[0]}' at position ${(part.index ?? 0) + 1} is invalid (${reason})`;
    }
  }
  return `'${expression}' is invalid (${reason})`;
}

/** Parses `every`: milliseconds, or a duration such as `'15m'`, `'1h30m'`, `'90s'`, `'2d'`, `'500ms'`. */
export function parseEvery(value: unknown, field = 'every'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= MIN_EVERY_MS) return value;
  } else if (typeof value === 'string') {
    const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
    const trimmed = value.trim();
    const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g)];
    const consumed = parts.map((p) => p[0]).join('');
    if (parts.length > 0 && consumed.replace(/\s/g, '') === trimmed.replace(/\s/g, '')) {
      const ms = Math.round(
        parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0),
      );
      if (ms >= MIN_EVERY_MS) return ms;
    }
  }
  throw new InvalidInputError(
    field,
    `must be a duration like '15m', '1h30m', '90s' or a number of ms, at least ${MIN_EVERY_MS} ms (MIN_EVERY_MS), got ${JSON.stringify(value)}`,
  );
}

/** Throws unless `timezone` is an IANA zone this runtime knows. */
export function assertTimeZone(timezone: unknown, field = 'timezone'): asserts timezone is string {
  try {
    if (typeof timezone !== 'string') throw new Error('not a string');
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InvalidInputError(
      field,
      `${JSON.stringify(timezone)} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')`,
    );
  }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`YYYY-MM-DD`) of `epochMs` in `timezone`. */
export function localDate(epochMs: number, timezone: string | null): string {
  const zone = timezone ?? 'UTC';
  let format = dayFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(zone, format);
  }
  return format.format(epochMs);
}
