import { createHash } from 'node:crypto';
import { InvalidInputError } from '@jobservice/core';

/** Names kept as they are: lowercase letters, digits and `-`, starting with a letter or digit. */
const PLAIN = /^[0-9a-z][0-9a-z-]{0,99}$/;
/** Device names Windows reserves whatever the extension; never used as they are. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
/** Encoded names longer than this are hashed instead. */
const MAX_HEX_LENGTH = 200;
/** Longest identifier accepted at all (UTF-16 code units). */
export const MAX_IDENTIFIER_LENGTH = 65_536;

/**
 * Maps an identifier (job id, idempotency key) to one file-name segment that
 * can never leave its folder and never collides with another identifier's:
 *
 * - `[0-9a-z-]` names (UUIDs) stay as they are: readable on disk;
 * - anything else becomes `x_` + the lowercase hex of its UTF-8 bytes, so
 *   `../x`, `C:\x`, `%2e%2e`, NUL or `A` vs `a` (on a case-insensitive file
 *   system) cannot escape or merge;
 * - past 200 hex characters, `h_` + the SHA-256 of the text (file names stay
 *   under every file system's 255-byte limit).
 *
 * The three forms cannot overlap (`_` never appears in the first). Callers
 * that hash store the original text in the file and compare on read.
 *
 * @throws InvalidInputError for a non-string, an empty string, a string with
 * unpaired surrogates (it has no UTF-8 form), or one over 65,536 characters.
 */
export function encodeSegment(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  if (value.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidInputError(
      field,
      `is ${value.length} characters long; the file-system store accepts at most ${MAX_IDENTIFIER_LENGTH}`,
    );
  }
  if (!isWellFormed(value)) {
    throw new InvalidInputError(field, 'contains an unpaired UTF-16 surrogate; pass well-formed text');
  }
  if (PLAIN.test(value) && !RESERVED.test(value)) return value;
  const hex = Buffer.from(value, 'utf8').toString('hex');
  if (hex.length <= MAX_HEX_LENGTH) return `x_${hex}`;
  return `h_${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

/** True when `segment` came from hashing (the original must be compared on read). */
export function isHashedSegment(segment: string): boolean {
  return segment.startsWith('h_');
}

/** True when every surrogate in `value` is paired (String.prototype.isWellFormed, ES2024). */
function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'an empty string';
  if (value === null) return 'null';
  return typeof value;
}
