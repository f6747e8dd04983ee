import { hasErrorCode, type JobManager } from '@jobservice/core';
import type { CommandContext } from '../context.js';
import { CliError, isNotFound } from '../errors.js';

/** Options of `jobservice retry <id>`. */
export interface RetryOneOptions {
  json?: boolean;
}

/** `jobservice retry <id>`: runs one failed or cancelled job again from attempt 0. */
export async function retryOneCommand(
  ctx: CommandContext,
  id: string,
  options: RetryOneOptions,
): Promise<void> {
  await ctx.withStore({ queue: true }, async ({ manager }) => {
    const job = await manager.get(id);
    if (!job) throw new CliError(`job not found: ${id}`);
    if (!(await notFoundAsCliError(id, () => manager.retry(id)))) {
      const now = (await manager.get(id))?.status ?? job.status;
      throw new CliError(`job ${id} is ${now}; only failed or cancelled jobs can be retried`);
    }
  });
  if (options.json) ctx.printJson({ id, retried: true });
  else ctx.print(`retried ${id}`);
}

/** Options of `jobservice cancel <id>`. */
export interface CancelOptions {
  json?: boolean;
}

/**
 * `jobservice cancel <id>`: a scheduled job is cancelled now; a running one
 * is asked to stop (its worker settles it). An ended job is an error.
 */
export async function cancelCommand(ctx: CommandContext, id: string, options: CancelOptions): Promise<void> {
  const outcome = await ctx.withStore({}, async ({ manager }) => {
    const result = await notFoundAsCliError(id, () => manager.cancel(id));
    if (result === 'already-finished') {
      const status = (await manager.get(id))?.status ?? 'finished';
      throw new CliError(`job ${id} has already ended (${status}); nothing to cancel`);
    }
    return result;
  });
  if (options.json) ctx.printJson({ id, outcome });
  else if (outcome === 'cancelled') ctx.print(`cancelled ${id}`);
  else ctx.print(`cancel requested for ${id}: it is running, and its worker stops it`);
}

/** Options of `jobservice delete <id>`. */
export interface DeleteOptions {
  json?: boolean;
}

/** `jobservice delete <id>`: deletes a job that is not running. */
export async function deleteCommand(ctx: CommandContext, id: string, options: DeleteOptions): Promise<void> {
  await ctx.withStore({}, ({ manager }) => deleteJob(manager, id));
  if (options.json) ctx.printJson({ id, deleted: true });
  else ctx.print(`deleted ${id}`);
}

async function deleteJob(manager: JobManager, id: string): Promise<void> {
  try {
    await notFoundAsCliError(id, () => manager.delete(id));
  } catch (error) {
    if (hasErrorCode(error, 'INVALID_INPUT')) {
      // "id: job … is running: cancel it, then delete it once it has ended"
      throw new CliError((error as Error).message.replace(/^id: /, ''), undefined, { cause: error });
    }
    throw error;
  }
}

/** Runs `fn`, reporting the SDK's "not found" as `job not found: <id>`. */
async function notFoundAsCliError<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`job not found: ${id}`, undefined, { cause: error });
    throw error;
  }
}
