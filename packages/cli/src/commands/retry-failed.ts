import type { JobManager, JobQuery } from '@jobservice/core';
import { SingleBar } from 'cli-progress';
import type { CommandContext } from '../context.js';
import { isNotFound } from '../errors.js';
import type { Output } from '../io.js';

/** Options of `jobservice retry --failed`. */
export interface RetryFailedOptions {
  /** Only jobs of these callback names. */
  name?: string[];
  json?: boolean;
}

/** What `retry --failed` did. */
export interface RetryFailedSummary {
  /** Jobs put back to `scheduled`. */
  retried: number;
  /** Failed jobs found that had changed (or were deleted) before their retry. */
  skipped: number;
}

/** Jobs read per page while retrying. */
const PAGE_SIZE = 100;

/**
 * `jobservice retry --failed [--name n]`: retries every failed job (of those
 * names), with a progress bar on stderr when it is a terminal.
 */
export async function retryFailedCommand(ctx: CommandContext, options: RetryFailedOptions): Promise<void> {
  const names = options.name?.length ? options.name : undefined;
  const summary = await ctx.withStore({ queue: true }, async ({ manager }) => {
    const total = await countFailed(manager, names);
    const progress = startProgress(ctx.io.stderr, total);
    try {
      return await retryAllFailed(manager, names, (found) => progress?.update(found), progress);
    } finally {
      progress?.stop();
    }
  });
  if (options.json) {
    ctx.printJson(summary);
    return;
  }
  const found = summary.retried + summary.skipped;
  const scope = names ? ` (${names.join(', ')})` : '';
  const skipped = summary.skipped ? `; ${summary.skipped} had changed meanwhile` : '';
  ctx.print(`retried ${summary.retried} of ${found} failed jobs${scope}${skipped}`);
}

/**
 * Retries every failed job (of `names`). Retried jobs leave the failed set,
 * so paging by status while retrying would skip jobs: each round lists from
 * the start (no cursor), retries what it has not seen yet, and follows the
 * cursor only past jobs already handled (ones that failed again meanwhile).
 * It ends when no page holds an unseen failed job.
 */
export async function retryAllFailed(
  manager: JobManager,
  names: readonly string[] | undefined,
  onProgress: (handled: number) => void = () => {},
  progress?: { setTotal(total: number): void; getTotal(): number },
): Promise<RetryFailedSummary> {
  const seen = new Set<string>();
  const summary: RetryFailedSummary = { retried: 0, skipped: 0 };
  let cursor: string | null = null;
  for (;;) {
    const query: JobQuery = { statuses: ['failed'], limit: PAGE_SIZE, cursor };
    if (names) query.names = names;
    const page = await manager.list(query);
    const fresh = page.items.filter((job) => !seen.has(job.id));
    if (fresh.length === 0) {
      if (page.cursor === null || page.items.length === 0) return summary;
      cursor = page.cursor;
      continue;
    }
    for (const job of fresh) {
      seen.add(job.id);
      if (progress && seen.size > progress.getTotal()) progress.setTotal(seen.size);
      if (await retryQuietly(manager, job.id)) summary.retried++;
      else summary.skipped++;
      onProgress(seen.size);
    }
    cursor = null;
  }
}

/** Retries one job; false when it is no longer failed or cancelled, or gone. */
async function retryQuietly(manager: JobManager, id: string): Promise<boolean> {
  try {
    return await manager.retry(id);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** How many jobs are failed now (of `names`), from the store's counts. */
async function countFailed(manager: JobManager, names: readonly string[] | undefined): Promise<number> {
  const counts = await manager.countJobs();
  return counts
    .filter((c) => c.status === 'failed' && (!names || names.includes(c.name)))
    .reduce((sum, c) => sum + c.count, 0);
}

/** A progress bar on `stream` when it is a terminal; otherwise none. */
function startProgress(stream: Output, total: number): SingleBar | undefined {
  if (!stream.isTTY || total === 0) return undefined;
  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: 'retrying failed jobs |{bar}| {value}/{total}',
    hideCursor: true,
    clearOnComplete: true,
    noTTYOutput: false,
  });
  bar.start(total, 0);
  return bar;
}
