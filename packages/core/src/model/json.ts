import { InvalidInputError } from '../errors.js';

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (the usual shape of job metadata). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Checks that `value` is plain JSON and throws an {@link InvalidInputError}
 * naming the first offending path (`metadata.when: Date is not JSON`).
 *
 * Rejected: `undefined`, functions, symbols, bigints, non-finite numbers,
 * class instances (Date, Map, Buffer, …), cycles.
 */
export function assertJson(value: unknown, path: string): asserts value is JsonValue {
  const problem = findNonJson(value, path, new Set());
  if (problem) {
    throw new InvalidInputError(
      path.split(/[.[]/)[0] ?? path,
      `${problem}; pass plain JSON (strings, finite numbers, booleans, null, arrays, plain objects), e.g. an ISO string instead of a Date`,
    );
  }
}

function findNonJson(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${value} is not JSON`;
    case 'object':
      break;
    default:
      return `${path}: ${typeof value} is not JSON`;
  }
  const obj = value as object;
  if (seen.has(obj)) return `${path}: circular reference is not JSON`;
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      const p = findNonJson(obj[i], `${path}[${i}]`, seen);
      if (p) return p;
    }
    seen.delete(obj);
    return undefined;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    return `${path}: ${ctor} is not JSON`;
  }
  seen.add(obj);
  for (const [k, v] of Object.entries(obj)) {
    const p = findNonJson(v, `${path}.${k}`, seen);
    if (p) return p;
  }
  seen.delete(obj);
  return undefined;
}
