import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, normalizeBasePath } from './create-dashboard.js';
import type { DashboardOptions } from './options.js';

/** `serveDashboard`'s options: the dashboard's, plus where to listen. */
export interface ServeDashboardOptions extends DashboardOptions {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** The address to listen on. @default '127.0.0.1' */
  host?: string;
}

/** A running standalone dashboard. */
export interface ServedDashboard {
  /** Where it answers, e.g. `http://127.0.0.1:4000/`. */
  url: string;
  /** Stops the dashboard and the server (open connections included). */
  close(): Promise<void>;
}

/** Runs a dashboard in its own `node:http` server (what `jobservice dashboard --port` uses). */
export async function serveDashboard(options: ServeDashboardOptions): Promise<ServedDashboard> {
  const { port, host = '127.0.0.1', ...rest } = options;
  const dashboard = createDashboard(rest);
  const server = createServer((req, res) => {
    dashboard.handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = normalizeBasePath(rest.basePath);
  return {
    url: `http://${shown}:${address.port}${base === '/' ? '/' : `${base}/`}`,
    async close() {
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
