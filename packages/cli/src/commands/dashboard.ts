import { serveDashboard } from '@jobservice/dashboard';
import type { CommandContext } from '../context.js';

/** Options of `jobservice dashboard`. */
export interface DashboardCommandOptions {
  port?: number;
  host?: string;
  basePath?: string;
  /** Let anyone who reaches the port retry, cancel, delete and run schedules. */
  allowActions?: boolean;
}

/** The dashboard's port unless `--port` says otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8080;

/**
 * `jobservice dashboard`: serves the web dashboard over the store until
 * SIGINT or SIGTERM. Read-only unless `--allow-actions`.
 */
export async function dashboardCommand(ctx: CommandContext, options: DashboardCommandOptions): Promise<void> {
  const allowActions = options.allowActions === true;
  await ctx.withStore({ queue: allowActions, logger: ctx.logger() }, async ({ manager, store }) => {
    const served = await serveDashboard({
      manager,
      store,
      port: options.port ?? DEFAULT_DASHBOARD_PORT,
      host: options.host ?? '127.0.0.1',
      basePath: options.basePath ?? '/',
      ...(allowActions ? { authorize: () => true } : {}),
    });
    try {
      if (allowActions) {
        ctx.warn('actions are allowed: anyone who can reach this port can retry, cancel and delete jobs');
      }
      ctx.print(`dashboard${allowActions ? '' : ' (read-only)'}: ${served.url}`);
      await ctx.io.untilStopped();
    } finally {
      await served.close();
    }
  });
}
