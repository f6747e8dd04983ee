/** The job statuses, in the order the pages show them. */
export const STATUSES = ['waiting', 'scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;

/** An epoch-ms time as local date and time, or a dash. */
export function time(ms: number | null | undefined): string {
  return typeof ms === 'number' ? new Date(ms).toLocaleString() : '—';
}

/** JSON pretty-printed for a `<pre>` block (rendered as text, never as HTML). */
export function pretty(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value, null, 2);
}

/** The message of whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
