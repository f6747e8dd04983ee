import type { JobDispatcher, JobDocument } from '@jobservice/core';

const started = Date.now();
const stamp = () => `+${String(Date.now() - started).padStart(5)} ms`;
const short = (id: string) => id.slice(-8);

/** Prints every transition the dispatcher reports, one readable line each. */
export function printTransitions(dispatcher: JobDispatcher): void {
  const line = (job: JobDocument, what: string) =>
    console.log(`${stamp()}  ${job.name.padEnd(19)} …${short(job.id)}  ${what}`);
  dispatcher.on('started', ({ job }) => line(job, `started (attempt ${job.attempt} of ${job.maxAttempts})`));
  dispatcher.on('progress', ({ job, progress }) => line(job, `progress ${JSON.stringify(progress)}`));
  dispatcher.on('retrying', ({ job, error, delayMs }) =>
    line(job, `will retry in ${delayMs} ms: ${error.message}`),
  );
  dispatcher.on('completed', ({ job, result }) => line(job, `completed → ${JSON.stringify(result)}`));
  dispatcher.on('failed', ({ job, error }) => line(job, `FAILED: ${error.message}`));
  dispatcher.on('cancelled', ({ job }) => line(job, 'cancelled'));
  dispatcher.on('error', ({ error, during }) =>
    console.error(`${stamp()}  dispatcher error during ${during}:`, error),
  );
}

/** Prints a summary table of the given jobs. */
export function printSummary(jobs: JobDocument[]): void {
  const rows = jobs.map((job) => ({
    id: `…${short(job.id)}`,
    name: job.name,
    status: job.status,
    attempts: `${job.attempt}/${job.maxAttempts}`,
    outcome: job.status === 'completed' ? JSON.stringify(job.result) : (job.error?.message ?? ''),
  }));
  const widths = Object.keys(rows[0] ?? {}).map((key) =>
    Math.max(key.length, ...rows.map((row) => String(row[key as keyof typeof row]).length)),
  );
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${format(Object.keys(rows[0] ?? {}))}`);
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(format(Object.values(row)));
}
