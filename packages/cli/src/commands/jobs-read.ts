import { hasErrorCode, type JobDocument, type JobQuery, type JobStatus } from '@jobservice/core';
import type { CommandContext } from '../context.js';
import { CliError, oneLine, usageError } from '../errors.js';
import { formatTable, truncate } from '../format/table.js';
import { colorStatus, formatTime, prettyJson } from '../format/values.js';

/** Options of `jobservice list`. */
export interface ListOptions {
  status?: JobStatus[];
  name?: string[];
  label?: Record<string, string>;
  limit?: number;
  cursor?: string;
  json?: boolean;
}

/** The default page size of `jobservice list`. */
export const LIST_PAGE_SIZE = 50;

/** `jobservice list`: one page of jobs matching the filters, as a table or `{ items, cursor }`. */
export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<void> {
  const query: JobQuery = { limit: options.limit ?? LIST_PAGE_SIZE };
  if (options.status?.length) query.statuses = options.status;
  if (options.name?.length) query.names = options.name;
  if (options.label) query.labels = options.label;
  if (options.cursor !== undefined) query.cursor = options.cursor;
  const page = await ctx.withStore({}, async ({ manager }) => {
    try {
      return await manager.list(query);
    } catch (error) {
      if (hasErrorCode(error, 'INVALID_INPUT')) throw usageError((error as Error).message);
      throw error;
    }
  });
  if (options.json) {
    ctx.printJson({ items: page.items, cursor: page.cursor });
    return;
  }
  if (page.items.length === 0) {
    ctx.print('no jobs match');
    return;
  }
  ctx.print(jobTable(ctx, page.items));
  if (page.cursor !== null) ctx.print(`next page: --cursor ${page.cursor}`);
}

/** The job table of `list`: id, name, status, attempts, due time, error message. */
export function jobTable(ctx: CommandContext, jobs: readonly JobDocument[]): string {
  return formatTable(jobs, [
    { header: 'ID', value: (job) => job.id },
    { header: 'NAME', value: (job) => job.name },
    {
      header: 'STATUS',
      value: (job) =>
        job.cancelRequested && job.status === 'running' ? 'running (cancel requested)' : job.status,
      style: (padded, job) => colorStatus(ctx.colors, job.status, padded),
    },
    { header: 'ATTEMPT', value: (job) => `${job.attempt}/${job.maxAttempts}`, alignRight: true },
    { header: 'RUN AT', value: (job) => formatTime(job.runAt) },
    { header: 'ERROR', value: (job) => (job.error ? truncate(job.error.message, 80) : '') },
  ]);
}

/** Options of `jobservice inspect`. */
export interface InspectOptions {
  json?: boolean;
}

/** `jobservice inspect <id>`: the whole job document. */
export async function inspectCommand(
  ctx: CommandContext,
  id: string,
  options: InspectOptions,
): Promise<void> {
  const job = await ctx.withStore({}, ({ manager }) => manager.get(id, { include: ['logs'] }));
  if (!job) throw new CliError(`job not found: ${id}`);
  if (options.json) {
    ctx.printJson(job);
    return;
  }
  ctx.print(describeJob(ctx, job));
}

/** A job for people: its key fields aligned, then metadata, result, error as JSON, its attempts and its log. */
export function describeJob(ctx: CommandContext, job: JobDocument): string {
  const fields: Array<[string, string]> = [
    ['id', job.id],
    ['name', job.name],
    ['status', colorStatus(ctx.colors, job.status)],
    ['attempt', `${job.attempt} of ${job.maxAttempts}`],
    ['priority', String(job.priority)],
    ['run at', formatTime(job.runAt)],
    ['created', formatTime(job.createdAt)],
    ['updated', formatTime(job.updatedAt)],
    ['started', formatTime(job.startedAt)],
    ['finished', formatTime(job.finishedAt)],
    ['key', job.key ?? '-'],
    ['timeout', job.timeoutMs === null ? '-' : `${job.timeoutMs} ms`],
    ['schedule', job.scheduleId ?? '-'],
    ['worker', job.workerId ?? '-'],
    ['lease expires', formatTime(job.leaseExpiresAt)],
    ['cancel requested', job.cancelRequested ? 'yes' : 'no'],
    ['labels', Object.keys(job.labels).length ? JSON.stringify(job.labels) : '-'],
    ['runs after', job.parents?.length ? `${job.parents.join(', ')} (${job.onParentFailure})` : '-'],
  ];
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  const lines = fields.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
  const sections: Array<[string, unknown]> = [
    ['metadata', job.metadata],
    ['progress', job.progress],
    ['result', job.result],
    ['error', job.error],
  ];
  for (const [title, value] of sections) {
    if (value === null && title !== 'metadata') continue;
    lines.push('', ctx.colors.bold(`${title}:`), prettyJson(value).trimEnd());
  }
  if (job.history.length > 0) {
    // One line per attempt; the stacks are in `--json`.
    lines.push('', ctx.colors.bold('attempts:'));
    for (const record of job.history) {
      const outcome = record.outcome ?? (record.error ? 'failed' : 'completed');
      const error = record.error
        ? `  ${oneLine(record.error.message)}${record.error.name ? ` (${record.error.name})` : ''}`
        : '';
      lines.push(`  #${record.attempt}  ${formatTime(record.at)}  ${outcome}${error}`);
    }
  }
  if (job.logs?.length) {
    lines.push('', ctx.colors.bold('log:'));
    for (const line of job.logs) {
      const fields = line.fields ? `  ${JSON.stringify(line.fields)}` : '';
      lines.push(
        `  ${formatTime(line.at)}  #${line.attempt}  ${line.level.padEnd(5)}  ${oneLine(line.message)}${fields}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
