import { JOB_STATUSES, type JobStatus } from '@jobservice/core';
import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers. Each throws commander's `InvalidArgumentError`,
 * which the program reports as a usage error (exit 2).
 */

/** Parses a whole number ≥ `min` (`--limit`, `--port`, `--concurrency`, `--grace-ms`). */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}, got '${value}'`,
      );
    }
    return n;
  };
}

/** Collects a repeatable `--status` (also comma-separated), checking each against the job statuses. */
export function collectStatus(value: string, previous: JobStatus[] = []): JobStatus[] {
  const statuses = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const status of statuses) {
    if (!(JOB_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidArgumentError(`unknown status '${status}'; one of ${JOB_STATUSES.join(', ')}`);
    }
  }
  return [...previous, ...(statuses as JobStatus[])];
}

/** Collects a repeatable string option (`--name`), also comma-separated. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** Collects a repeatable `--label key=value` into an object. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}
