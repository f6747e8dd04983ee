import { InvalidInputError, JOB_STATUSES, type JobStatus } from '@jobservice/core';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Matches a JSON `\u0000` escape that is not itself an escaped backslash. */
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;
const NUL_MESSAGE =
  'contains a NUL character (\\u0000), which PostgreSQL cannot store in text or jsonb; remove it or encode the value (e.g. base64)';

/** A string PostgreSQL can store: no NUL. */
export function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeof value}`);
  if (value.includes('\0')) throw new InvalidInputError(field, NUL_MESSAGE);
  return value;
}

/** Like {@link text}, or null. */
export function textOrNull(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : text(value, field);
}

/** A whole number for a bigint column (fractions are rounded, like core's own time inputs). */
export function int8(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new InvalidInputError(field, `must be a finite number, got ${String(value)}`);
  }
  return Math.round(value);
}

/** Like {@link int8}, or null. */
export function int8OrNull(value: unknown, field: string): number | null {
  return value === null || value === undefined ? null : int8(value, field);
}

/** A whole number for an integer column. */
export function int4(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new InvalidInputError(
      field,
      `must be a whole number between ${INT32_MIN} and ${INT32_MAX}, got ${String(value)}`,
    );
  }
  return value;
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

/**
 * JSON text for a jsonb parameter. Rejects values that are not JSON and
 * strings (or keys) with NUL, naming the path (`metadata.note`).
 */
export function json(value: unknown, field: string): string {
  const encoded = value === undefined ? undefined : JSON.stringify(value);
  if (encoded === undefined) throw new InvalidInputError(field, 'must be a JSON value');
  if (encoded.includes('\\u0000') && hasNul(encoded)) {
    const path = findNul(value, field) ?? field;
    throw new InvalidInputError(path, NUL_MESSAGE);
  }
  return encoded;
}

/** Like {@link json}, for a value that must be an array (a job's `history`). */
export function jsonArray(value: unknown, field: string): string {
  if (!Array.isArray(value))
    throw new InvalidInputError(field, `must be an array, got ${value === null ? 'null' : typeof value}`);
  return json(value, field);
}

/** Like {@link json}, with `null` (and `undefined`) as SQL NULL. */
export function jsonOrNull(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : json(value, field);
}

/**
 * One JSON array text for a batch of worker writes (results, errors,
 * progress; `undefined` as null). Those cannot be refused without stranding
 * the jobs, so NUL characters become U+FFFD.
 */
export function lenientJsonArray(values: readonly unknown[]): string {
  const encoded = JSON.stringify(values.map((v) => (v === undefined ? null : v)));
  return encoded.includes('\\u0000') ? encoded.replace(JSON_NUL, '$1\\ufffd') : encoded;
}

function hasNul(encoded: string): boolean {
  JSON_NUL.lastIndex = 0;
  const found = JSON_NUL.test(encoded);
  JSON_NUL.lastIndex = 0;
  return found;
}

function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return `${path}.${JSON.stringify(key)}`;
    const found = findNul(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
