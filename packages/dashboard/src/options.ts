import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IDocumentDataProvider, JobManager } from '@jobservice/core';

/** An action a person asks the dashboard to take; every one passes through `authorize`. */
export type DashboardAction =
  | { type: 'retry' | 'cancel' | 'delete'; jobId: string }
  | { type: 'retry-failed'; name?: string }
  | { type: 'run-schedule' | 'pause-schedule' | 'resume-schedule'; scheduleId: string };

/** What `createDashboard` and `serveDashboard` take. */
export interface DashboardOptions {
  /** Reads and actions go through this manager's public API only. */
  manager: JobManager;
  /**
   * The manager's store. When it has `watch`, pages update live from its
   * change feed; without it the dashboard polls `countJobs()` every few seconds.
   */
  store?: IDocumentDataProvider;
  /** Where the dashboard is mounted, e.g. `/jobs`. @default '/' */
  basePath?: string;
  /**
   * Decides whether `request` may take `action`. Without it the dashboard is
   * read-only: no action buttons, and every action POST is refused with 403.
   * From `fetch()` the request is a stand-in carrying `method`, `url` and
   * `headers` (lower-cased names), like a `node:http` request.
   */
  authorize?: (request: IncomingMessage, action: DashboardAction) => boolean | Promise<boolean>;
  /** The page title. @default 'Jobs' */
  title?: string;
}

/** A mounted dashboard: one request handler for `node:http`-style servers and one for fetch-style ones. */
export interface Dashboard {
  /**
   * Answers requests under `basePath` (index page, assets, JSON API, event
   * stream). Other paths go to `next` when given, else get a 404.
   * Works with `node:http`, Express (`app.use(handler)`) and Fastify (`reply.raw`).
   */
  handler(req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void>;
  /** The same as a WHATWG fetch handler (Hono: `dashboard.fetch(c.req.raw)`); paths outside `basePath` get a 404. */
  fetch(request: Request): Promise<Response>;
  /** Stops the sampler, the watcher or poller, and ends open event streams. */
  close(): Promise<void>;
}
