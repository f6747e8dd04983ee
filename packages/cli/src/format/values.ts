import type { JobStatus } from '@jobservice/core';
import pc from 'picocolors';

/** The colour functions a command writes with: real ones for a terminal, identity otherwise. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colours for a stream: on when it is a terminal, unless `NO_COLOR` is set;
 * `FORCE_COLOR` turns them on anywhere.
 */
export function colorsFor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const disabled = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return pc.createColors(forced || (isTTY === true && !disabled));
}

/** A job status in its colour: green completed, red failed, yellow running, grey cancelled. */
export function colorStatus(colors: Colors, status: JobStatus | string, text: string = status): string {
  switch (status) {
    case 'completed':
      return colors.green(text);
    case 'failed':
      return colors.red(text);
    case 'running':
      return colors.yellow(text);
    case 'cancelled':
      return colors.gray(text);
    default:
      return colors.cyan(text);
  }
}

/** An epoch-ms time as ISO 8601 (UTC, seconds), or `-` for none. */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '-';
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A millisecond interval in its shortest exact unit: `90s`, `15m`, `2h`, `1500ms`. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** JSON for people: two-space indent, then a newline. */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
