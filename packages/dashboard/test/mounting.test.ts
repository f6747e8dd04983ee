import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { JOB_STATUSES, MemoryDocumentProvider } from '@jobservice/core';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, createDashboard, type Dashboard } from '../src/index.js';
import { type Seeded, seed } from './support/seed.js';

interface Mounted {
  origin: string;
  close(): Promise<void>;
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function closing(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The four ways the README mounts a dashboard under `/ops`, each beside a route of the host's own. */
const servers: Record<string, (dashboard: Dashboard) => Promise<Mounted>> = {
  'node:http': async (dashboard) => {
    const server = createServer((req, res) => {
      void dashboard.handler(req, res, () => res.writeHead(200).end('host page'));
    });
    const origin = await listening(server);
    return { origin, close: () => closing(server) };
  },
  express: async (dashboard) => {
    const app = express();
    app.use(dashboard.handler);
    app.get('/', (_req, res) => {
      res.send('host page');
    });
    const server = createServer(app);
    const origin = await listening(server);
    return { origin, close: () => closing(server) };
  },
  fastify: async (dashboard) => {
    const app = Fastify();
    app.all('/ops', (request, reply) => dashboard.handler(request.raw, reply.hijack().raw));
    app.all('/ops/*', (request, reply) => dashboard.handler(request.raw, reply.hijack().raw));
    app.get('/', async () => 'host page');
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    return { origin, close: () => app.close() };
  },
  hono: async (dashboard) => {
    const app = new Hono();
    app.all('/ops', (c) => dashboard.fetch(c.req.raw));
    app.all('/ops/*', (c) => dashboard.fetch(c.req.raw));
    app.get('/', (c) => c.text('host page'));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((resolve) =>
      server.listening ? resolve() : server.once('listening', () => resolve()),
    );
    return {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => closing(server),
    };
  },
};

async function tokenOf(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const config = /<script type="application\/json" id="dashboard-config">(.*?)<\/script>/.exec(html)?.[1];
  return JSON.parse(config ?? '{}').csrf;
}

describe.each(Object.keys(servers))('mounted in %s under /ops', (kind) => {
  let seeded: Seeded;
  let store: MemoryDocumentProvider;
  let dashboard: Dashboard;
  let mounted: Mounted;
  beforeAll(async () => {
    store = new MemoryDocumentProvider();
    seeded = await seed(store);
    dashboard = createDashboard({ manager: seeded.manager, store, basePath: '/ops', authorize: () => true });
    mounted = await (servers[kind] as (d: Dashboard) => Promise<Mounted>)(dashboard);
  });
  afterAll(async () => {
    await mounted?.close();
    await dashboard?.close();
  });

  it('serves the page, its assets and the API under the base path, and leaves other paths to the host', async () => {
    const page = await fetch(`${mounted.origin}/ops/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="/ops/assets/app.js"');
    const script = await fetch(`${mounted.origin}/ops/assets/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(1000);
    const overview = (await (await fetch(`${mounted.origin}/ops/api/overview`)).json()) as {
      byStatus: Record<string, number>;
    };
    expect(overview.byStatus.failed).toBe(4);
    expect(Object.keys(overview.byStatus)).toEqual([...JOB_STATUSES]); // every status, waiting included
    expect(await (await fetch(`${mounted.origin}/`)).text()).toBe('host page');
  });

  it('takes an action POST with the token and streams a change event', async () => {
    const events = await fetch(`${mounted.origin}/ops/api/events`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const until = async (text: string) => {
      while (!seen.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before "${text}"`);
        seen += decoder.decode(value);
      }
    };
    await until('event: hello');
    const id = seeded.failedIds[0] as string;
    const token = await tokenOf(`${mounted.origin}/ops/`);
    const retried = await fetch(`${mounted.origin}/ops/api/jobs/${id}/retry`, {
      method: 'POST',
      headers: { [CSRF_HEADER]: token },
    });
    expect(retried.status).toBe(200);
    expect((await store.get(id))?.status).toBe('scheduled');
    await until('event: change');
    await reader.cancel();
  });
});
