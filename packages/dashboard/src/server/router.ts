import type { IncomingMessage } from 'node:http';
import type { JobManager } from '@jobservice/core';
import type { DashboardAction, DashboardOptions } from '../options.js';
import { indexHtml, readAsset } from './assets.js';
import type { BulkRetries } from './bulk-retry.js';
import { CSRF_HEADER, csrfMatches } from './csrf.js';
import { HttpError, statusOf } from './http-error.js';
import { idSegment, parseJobFilter } from './query-params.js';
import { getJob, listJobs, listSchedules, overview } from './read-api.js';
import type { ThroughputSampler } from './throughput.js';

/** A request, whichever server it came from; `path` is relative to the base path. */
export interface RouteRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** What `authorize` is given. */
  raw: IncomingMessage;
}

/** What the adapter writes back: a body, or an event stream. */
export type RouteReply = { status: number; type: string; body: string | Buffer } | { stream: true };

/** The parts of a dashboard the routes use. */
export interface RouteContext {
  options: DashboardOptions;
  manager: JobManager;
  csrf: string;
  basePath: string;
  sampler: ThroughputSampler;
  bulk: BulkRetries;
  changed: () => void;
}

const json = (status: number, value: unknown): RouteReply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** Answers one request; every error becomes `{ error }` with its status. */
export async function route(ctx: RouteContext, req: RouteRequest): Promise<RouteReply> {
  try {
    return await dispatch(ctx, req);
  } catch (error) {
    const status = statusOf(error);
    const message =
      status === 500 ? 'internal error' : error instanceof Error ? error.message : String(error);
    return json(status, { error: message });
  }
}

async function dispatch(ctx: RouteContext, req: RouteRequest): Promise<RouteReply> {
  const { manager } = ctx;
  const parts = req.path.split('/').filter((p) => p !== '');
  if (req.method === 'POST') return json(200, await act(ctx, req, parts));
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new HttpError(405, `method not allowed: ${req.method}`);
  if (parts.length === 0) {
    const title = ctx.options.title ?? 'Jobs';
    const html = indexHtml({
      basePath: ctx.basePath,
      title,
      csrf: ctx.csrf,
      canAct: !!ctx.options.authorize,
    });
    return { status: 200, type: 'text/html; charset=utf-8', body: html };
  }
  if (parts[0] === 'assets' && parts.length === 2) {
    const asset = readAsset(parts[1] ?? '');
    if (asset) return { status: 200, type: asset.type, body: asset.body };
  }
  if (parts[0] !== 'api') throw new HttpError(404, `not found: ${req.path}`);
  const [, what, id, extra] = parts;
  if (what === 'overview' && !id) return json(200, await overview(manager, ctx.sampler));
  if (what === 'jobs' && !id) return json(200, await listJobs(manager, parseJobFilter(req.params)));
  if (what === 'jobs' && id && !extra) return json(200, await getJob(manager, idSegment(id, 'job id')));
  if (what === 'schedules' && !id) return json(200, await listSchedules(manager));
  if (what === 'events' && !id) return { stream: true };
  if (what === 'bulk-retry' && id && !extra) {
    const task = ctx.bulk.get(idSegment(id, 'task id'));
    if (!task) throw new HttpError(404, `bulk retry not found: ${id}`);
    return json(200, task);
  }
  throw new HttpError(404, `not found: ${req.path}`);
}

function actionOf(parts: string[], params: URLSearchParams): DashboardAction {
  const [api, what, rawId, verb] = parts;
  if (
    api === 'api' &&
    what === 'jobs' &&
    rawId &&
    (verb === 'retry' || verb === 'cancel' || verb === 'delete')
  ) {
    return { type: verb, jobId: idSegment(rawId, 'job id') };
  }
  if (api === 'api' && what === 'schedules' && rawId && verb) {
    const type = ({ run: 'run-schedule', pause: 'pause-schedule', resume: 'resume-schedule' } as const)[verb];
    if (type) return { type, scheduleId: idSegment(rawId, 'schedule id') };
  }
  if (api === 'api' && what === 'retry-failed' && !rawId) {
    const name = params.get('name');
    return name ? { type: 'retry-failed', name } : { type: 'retry-failed' };
  }
  throw new HttpError(404, `no such action: /${parts.join('/')}`);
}

/** Checks (read-only, CSRF token, `authorize`) then carries out an action POST. */
async function act(ctx: RouteContext, req: RouteRequest, parts: string[]): Promise<unknown> {
  const action = actionOf(parts, req.params);
  const authorize = ctx.options.authorize;
  if (!authorize) throw new HttpError(403, 'this dashboard is read-only (no authorize hook)');
  if (!csrfMatches(ctx.csrf, req.headers[CSRF_HEADER]))
    throw new HttpError(403, 'missing or wrong CSRF token');
  if (!(await authorize(req.raw, action))) throw new HttpError(403, `not allowed: ${action.type}`);
  const result = await perform(ctx.manager, ctx.bulk, action);
  ctx.changed();
  return result;
}

async function perform(manager: JobManager, bulk: BulkRetries, action: DashboardAction): Promise<unknown> {
  switch (action.type) {
    case 'retry': {
      await getJob(manager, action.jobId);
      const retried = await manager.retry(action.jobId);
      if (!retried) throw new HttpError(409, `job ${action.jobId} is neither failed nor cancelled`);
      return { ok: true };
    }
    case 'cancel':
      await getJob(manager, action.jobId);
      return { ok: true, outcome: await manager.cancel(action.jobId) };
    case 'delete':
      try {
        await manager.delete(action.jobId);
      } catch (error) {
        if (statusOf(error) === 400)
          throw new HttpError(409, error instanceof Error ? error.message : String(error));
        throw error;
      }
      return { ok: true };
    case 'run-schedule':
      return { ok: true, job: await manager.runScheduleNow(action.scheduleId) };
    case 'pause-schedule':
      await manager.pause(action.scheduleId);
      return { ok: true };
    case 'resume-schedule':
      await manager.resume(action.scheduleId);
      return { ok: true };
    case 'retry-failed':
      return { ok: true, task: await bulk.start(action.name) };
  }
}
