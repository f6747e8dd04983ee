import { InvalidInputError } from '../errors.js';

/**
 * The documented pattern for callback names: a letter or digit, then up to
 * 127 letters, digits, `.`, `_`, `:` or `-`. Safe as a file name, a SQL
 * value and a log field.
 */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Names under this prefix belong to jobservice (schedule documents, fired-job keys). */
export const RESERVED_PREFIX = 'jobservice:';

/** Throws an {@link InvalidInputError} naming `field` unless `name` matches {@link JOB_NAME_PATTERN}. */
export function assertJobName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name === 'string' && name.startsWith(RESERVED_PREFIX)) {
    throw new InvalidInputError(
      field,
      `'${name}': names starting with '${RESERVED_PREFIX}' are reserved for jobservice itself`,
    );
  }
  if (typeof name !== 'string' || !JOB_NAME_PATTERN.test(name)) {
    throw new InvalidInputError(
      field,
      `${JSON.stringify(name)} is not a valid callback name; use 1–128 characters from A–Z a–z 0–9 . _ : - starting with a letter or digit (e.g. 'send-email')`,
    );
  }
}
