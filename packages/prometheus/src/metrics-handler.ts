import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRegistry } from './registry.js';

/** A request listener for `node:http`, Express, Connect and the like. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A handler that answers `GET` (and `HEAD`) with `registry`'s metrics in
 * the text exposition format and the registry's content type; other
 * methods get `405`, a collection that fails gets `500`. It answers every
 * path it is given: route `/metrics` to it.
 *
 * @example
 * createServer(metricsHandler(registry)).listen(9464);
 */
export function metricsHandler(registry: AnyRegistry): MetricsHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed: use GET\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, {
          'content-type': registry.contentType,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics collection failed: ${message}\n`);
      },
    );
  };
}
