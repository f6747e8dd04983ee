/**
 * SQL for `j.history` with `record` appended, keeping the newest `keep`:
 * a plain `||` while the history is shorter than `keep` (every attempt
 * but the rare long-retried job's), `append_history` (which trims) only
 * when it is full. The function call per row costs far more than the
 * concatenation on the settle hot path.
 */
export function appendRecord(record: string, keep: string): string {
  return `CASE WHEN jsonb_array_length(j.history) < ${keep}
      THEN j.history || jsonb_build_array(${record})
      ELSE {{schema}}.append_history(j.history, ${record}, ${keep}) END`;
}
