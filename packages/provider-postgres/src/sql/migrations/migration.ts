/** One versioned schema change, applied once per schema in version order. */
export interface Migration {
  /** Grows by one per migration; recorded in `<schema>.migrations`. */
  version: number;
  /** Kebab-case, as in the file name `NNN-name.ts`. */
  name: string;
  /** The statements, with `{{schema}}` for the quoted schema name. */
  sql: string;
}
