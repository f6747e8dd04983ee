import { InvalidInputError } from '../errors.js';

/**
 * String key/value pairs on a job for finding it again ("domain": "orders",
 * "orderId": "42"): kept apart from the typed metadata, set at enqueue (or
 * inherited from the firing schedule), never changed, and filterable by
 * every store (`list({ labels })`).
 */
export type JobLabels = Readonly<Record<string, string>>;

/** The bounds on labels, checked at every enqueue and schedule. */
export const LABEL_LIMITS = {
  /** Labels on one job. */
  count: 20,
  /** Longest key, in characters. */
  keyLength: 64,
  /** Longest value, in characters. */
  valueLength: 256,
} as const;

/** Keys: letters, digits and `_ . : / -`, starting with a letter or digit. */
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;

/**
 * Checks labels from an enqueue, a schedule or a query and returns a plain
 * copy with its keys sorted; `{}` for `undefined`/`null`. Throws an
 * {@link InvalidInputError} naming `field` (nothing is written then).
 */
export function checkLabels(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(field, 'must be an object of string values, e.g. { orderId: "42" }');
  }
  const keys = Object.keys(value).sort();
  if (keys.length > LABEL_LIMITS.count) {
    throw new InvalidInputError(
      field,
      `holds ${keys.length} labels; at most ${LABEL_LIMITS.count} are allowed`,
    );
  }
  const out: Record<string, string> = {};
  for (const key of keys) {
    if (key.length > LABEL_LIMITS.keyLength || !LABEL_KEY.test(key)) {
      throw new InvalidInputError(
        `${field}.${key.slice(0, 80)}`,
        `a label key is 1 to ${LABEL_LIMITS.keyLength} letters, digits or _ . : / - (starting with a letter or digit)`,
      );
    }
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' || v.length > LABEL_LIMITS.valueLength) {
      throw new InvalidInputError(
        `${field}.${key}`,
        `must be a string of at most ${LABEL_LIMITS.valueLength} characters, got ${typeof v === 'string' ? `${v.length} characters` : typeof v}`,
      );
    }
    out[key] = v;
  }
  return out;
}

/** True when `labels` holds every pair of `wanted` (an empty `wanted` matches every job). */
export function hasLabels(labels: JobLabels | undefined, wanted: JobLabels): boolean {
  for (const key in wanted) {
    if (labels?.[key] !== wanted[key]) return false;
  }
  return true;
}
