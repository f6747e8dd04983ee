import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dashboard, DashboardOptions } from './options.js';
import { BulkRetries } from './server/bulk-retry.js';
import { newCsrfToken } from './server/csrf.js';
import { LiveEvents } from './server/live-events.js';
import { type RouteContext, type RouteReply, type RouteRequest, route } from './server/router.js';
import { ThroughputSampler } from './server/throughput.js';

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'self'",
  'cache-control': 'no-store',
};

/** `/jobs/` → `/jobs`, `` → `/`; always one leading slash, no trailing one. */
export function normalizeBasePath(basePath = '/'): string {
  const trimmed = `/${basePath}`.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** The path under `base`, or null when `pathname` is outside it. */
function under(base: string, pathname: string): string | null {
  if (base === '/') return pathname;
  if (pathname === base) return '/';
  return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : null;
}

/**
 * Builds a dashboard over `options.manager`: mount `handler` in a
 * `node:http`, Express or Fastify server, or `fetch` in a fetch-style one
 * (Hono), under `basePath`.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const basePath = normalizeBasePath(options.basePath);
  const live = new LiveEvents(options.manager, options.store);
  const sampler = new ThroughputSampler(options.manager);
  sampler.start();
  const ctx: RouteContext = {
    options,
    manager: options.manager,
    csrf: newCsrfToken(),
    basePath,
    sampler,
    bulk: new BulkRetries(options.manager, () => live.notify()),
    changed: () => live.notify(),
  };

  async function handler(req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void> {
    const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const url = new URL(original, 'http://dashboard.local');
    const path = under(basePath, url.pathname);
    if (path === null) {
      if (next) return next();
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"not found"}');
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(req.headers))
      headers[key] = Array.isArray(value) ? value[0] : value;
    const request: RouteRequest = {
      method: req.method ?? 'GET',
      path,
      params: url.searchParams,
      headers,
      raw: req,
    };
    const reply = await route(ctx, request);
    if ('stream' in reply) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      const remove = live.add({
        send: (event, data) => res.write(`event: ${event}\ndata: ${data}\n\n`),
        end: () => res.end(),
      });
      res.on('close', remove);
      return;
    }
    res.writeHead(reply.status, { ...SECURITY_HEADERS, 'content-type': reply.type });
    res.end(request.method === 'HEAD' ? undefined : reply.body);
  }

  async function fetchHandler(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = under(basePath, url.pathname);
    if (path === null) return Response.json({ error: 'not found' }, { status: 404 });
    const headers: Record<string, string | undefined> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const raw = {
      method: request.method,
      url: url.pathname + url.search,
      headers,
    } as unknown as IncomingMessage;
    const reply: RouteReply = await route(ctx, {
      method: request.method,
      path,
      params: url.searchParams,
      headers,
      raw,
    });
    if ('stream' in reply) {
      const encoder = new TextEncoder();
      let remove = () => {};
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          remove = live.add({
            send: (event, data) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${data}\n\n`)),
            end: () => controller.close(),
          });
          request.signal?.addEventListener('abort', () => remove());
        },
        cancel: () => remove(),
      });
      return new Response(body, { headers: { ...SECURITY_HEADERS, 'content-type': 'text/event-stream' } });
    }
    const body =
      request.method === 'HEAD'
        ? null
        : typeof reply.body === 'string'
          ? reply.body
          : new Uint8Array(reply.body);
    return new Response(body, {
      status: reply.status,
      headers: { ...SECURITY_HEADERS, 'content-type': reply.type },
    });
  }

  return {
    handler,
    fetch: fetchHandler,
    async close() {
      sampler.stop();
      await live.close();
    },
  };
}
