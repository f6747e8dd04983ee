/**
 * Rows in the text format of `COPY … FROM STDIN` (PostgreSQL's default
 * format: columns separated by a tab, rows ended by a newline, `\N` for
 * NULL). Inside a field a backslash, newline, carriage return or tab is
 * written as its backslash escape; every other character (quotes, unicode,
 * other control characters) is taken literally by the server, so it is sent
 * as is. NUL cannot be sent at all: the callers reject it first (see
 * `input-checks.ts`).
 *
 * Each column type goes through its text input form: text and json/jsonb
 * as their text, integers as decimal digits, arrays as array literals
 * (`pg-array.ts`), each then escaped here like any other text.
 */

/** The text format's NULL marker. */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPE = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One text field, escaped; `null` as {@link COPY_NULL}. */
export function copyText(value: string | null): string {
  if (value === null) return COPY_NULL;
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE, (c) => ESCAPES[c] as string) : value;
}

/** One integer field (a checked, safe integer); `null` as {@link COPY_NULL}. */
export function copyInteger(value: number | null): string {
  return value === null ? COPY_NULL : String(value);
}

/** Fields already encoded (by {@link copyText} or {@link copyInteger}) as one row, newline included. */
export function copyRow(fields: readonly string[]): string {
  return `${fields.join('\t')}\n`;
}
