import { JobDispatcher } from '@jobservice/core';
import type { CommandContext } from '../context.js';
import { oneLine, usageError } from '../errors.js';
import { loadCallbacks } from '../load-callbacks.js';

/** Options of `jobservice worker`. */
export interface WorkerOptions {
  /** The callbacks module. */
  module?: string;
  concurrency?: number;
  graceMs?: number;
}

/** How long running jobs may finish after SIGINT/SIGTERM unless `--grace-ms` says otherwise. */
export const DEFAULT_GRACE_MS = 30_000;

/**
 * `jobservice worker --module ./jobs.js`: runs the module's callbacks in a
 * dispatcher until SIGINT or SIGTERM, then stops gracefully.
 */
export async function workerCommand(ctx: CommandContext, options: WorkerOptions): Promise<void> {
  const config = await ctx.config();
  const modulePath = options.module ?? config.module;
  if (modulePath === undefined) {
    throw usageError(
      'worker needs a callbacks module: pass --module ./jobs.js (or put "module" in jobservice.config.json)',
    );
  }
  const baseDir = options.module !== undefined ? ctx.io.cwd : await ctx.configPath('.');
  const loaded = await loadCallbacks(modulePath, baseDir);
  const concurrency = options.concurrency ?? config.concurrency ?? 10;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  await ctx.withStore({ prepare: true, queue: true, logger: ctx.logger() }, async ({ store, queue }) => {
    const dispatcher = new JobDispatcher({
      store,
      ...(queue ? { queue } : {}),
      callbacks: loaded.callbacks,
      concurrency,
      graceMs,
      logger: ctx.logger(),
    });
    dispatcher.on('error', ({ error, during }) =>
      ctx.warn(`error during ${during}: ${oneLine(error instanceof Error ? error.message : String(error))}`),
    );
    await dispatcher.start();
    const count = loaded.names.length;
    ctx.print(
      `worker started: ${count} callback${count === 1 ? '' : 's'} (${loaded.names.join(', ')}), concurrency ${concurrency}`,
    );
    const signal = await ctx.io.untilStopped();
    ctx.print(`${signal}: stopping; running jobs get ${graceMs} ms to finish`);
    await dispatcher.stop({ graceMs });
    ctx.print('worker stopped');
  });
}
