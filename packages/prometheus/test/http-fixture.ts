import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Exposition, parseExposition } from './exposition.js';

/** A node:http server on port 0 routing `/metrics` to `handler`. */
export interface MetricsServer {
  url: string;
  /** GETs `/metrics`; checks the status is 200 and parses the body. */
  scrape(): Promise<{ exposition: Exposition; text: string; contentType: string | null }>;
  close(): Promise<void>;
}

/** Starts a server for `handler` on a free port. */
export async function startMetricsServer(handler: RequestListener): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/metrics`;
  return {
    url,
    async scrape() {
      const response = await fetch(url);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`scrape answered ${response.status}: ${text}`);
      return { exposition: parseExposition(text), text, contentType: response.headers.get('content-type') };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
