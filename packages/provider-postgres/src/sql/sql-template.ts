/**
 * One SQL statement as written in `src/sql/`: a short name (used for the
 * prepared statement's name) and its text with `{{schema}}` where the quoted
 * schema name goes. Values are always bind parameters (`$1`, `$2`, …).
 */
export interface SqlTemplate {
  readonly name: string;
  readonly text: string;
  /** Run as a named (prepared) statement where the provider prepares. @default true */
  readonly prepare: boolean;
}

/** Declares a statement (see {@link SqlTemplate}); `prepare: false` for one-off statements. */
export function sql(name: string, text: string, options: { prepare?: boolean } = {}): SqlTemplate {
  return { name, text: text.trim(), prepare: options.prepare ?? true };
}
