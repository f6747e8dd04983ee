import type { JsonValue } from '../model/json.js';

/**
 * A deep copy of a JSON value. An own `__proto__` key (as `JSON.parse`
 * makes it) is copied as an own property, never as a prototype.
 */
export function copyJson<T>(value: T): T {
  return copy(value, false) as T;
}

/** A deep copy of a JSON value, frozen all the way down (safe to share). */
export function frozenJson<T>(value: T): T {
  return copy(value, true) as T;
}

function copy(value: unknown, freeze: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], freeze);
    return freeze ? Object.freeze(out) : out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[key], freeze);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return freeze ? Object.freeze(out) : out;
}

/** `metadata` ready for a callback to change: a copy when the store handed out a frozen one. */
export function mutableMetadata(metadata: JsonValue): JsonValue {
  return metadata !== null && typeof metadata === 'object' && Object.isFrozen(metadata)
    ? copyJson(metadata)
    : metadata;
}
