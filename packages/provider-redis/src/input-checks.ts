import { InvalidInputError, JOB_STATUSES, type JobStatus } from '@jobservice/core';

/** The typed error for bad input (re-exported under a short name for the codec). */
export const InvalidInput = InvalidInputError;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A string (Redis stores any bytes; core refuses what no store may keep). */
export function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeof value}`);
  return value;
}

/** A finite number. */
export function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(field, `must be a finite number, got ${String(value)}`);
  }
  return value === 0 ? 0 : value;
}

/** A whole number ≥ 0 (a limit, a count). */
export function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidInputError(field, `must be a number, got ${String(value)}`);
  }
  return Math.max(0, Math.min(Math.floor(value), 2 ** 31 - 1));
}

/** A whole number in int32 range (priority, attempts). */
export function int32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new InvalidInputError(
      field,
      `must be a whole number between ${INT32_MIN} and ${INT32_MAX}, got ${String(value)}`,
    );
  }
  return value === 0 ? 0 : value;
}

/** A job status. */
export function status(value: unknown, field: string): JobStatus {
  if (!JOB_STATUSES.includes(value as JobStatus)) {
    throw new InvalidInputError(field, `must be one of ${JOB_STATUSES.join(', ')}, got ${String(value)}`);
  }
  return value as JobStatus;
}

/** A boolean. */
export function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new InvalidInputError(field, `must be a boolean, got ${typeof value}`);
  return value;
}

/** JSON text for a JSON field. */
export function json(value: unknown, field: string): string {
  let encoded: string | undefined;
  try {
    encoded = value === undefined ? undefined : JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError(field, `must be a JSON value (${(error as Error).message})`);
  }
  if (encoded === undefined) throw new InvalidInputError(field, 'must be a JSON value');
  return encoded;
}

/** JSON text for a worker's write (result, error, progress): `undefined` as '' (unchanged), never throws. */
export function lenientJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/** An array of strings (query filters, claim names). */
export function textArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new InvalidInputError(field, 'must be an array of strings');
  return value.map((item, i) => text(item, `${field}[${i}]`));
}
