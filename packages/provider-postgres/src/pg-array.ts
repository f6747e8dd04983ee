/**
 * Array parameters as PostgreSQL array literals, built in one pass: much
 * cheaper than the driver's generic per-element conversion for the large
 * batches `insertMany`, `settle` and `extendLeases` send.
 */

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPE = /[\\"]/g;

/** `{"a","b",NULL}` for a text (or jsonb-as-text) array; null elements become NULL. */
export function textArray(values: ReadonlyArray<string | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    else parts[i] = NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPE, '\\$&')}"` : `"${value}"`;
  }
  return `{${parts.join(',')}}`;
}

/** `{1,2,NULL}` for a numeric array (values already checked to be finite integers). */
export function numberArray(values: ReadonlyArray<number | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    parts[i] = value === null || value === undefined ? 'NULL' : String(value);
  }
  return `{${parts.join(',')}}`;
}

/** `{t,f}` for a boolean array. */
export function booleanArray(values: ReadonlyArray<boolean>): string {
  return `{${values.map((v) => (v ? 't' : 'f')).join(',')}}`;
}
