import { Counter, Gauge, type OpenMetricsContentType, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsHandler, prometheusMetrics } from '../src/index.js';
import { parseExposition, sampleValue } from './exposition.js';
import { type MetricsServer, startMetricsServer } from './http-fixture.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function serve(handler: Parameters<typeof startMetricsServer>[0]): Promise<MetricsServer> {
  const server = await startMetricsServer(handler);
  servers.push(server);
  return server;
}

describe('the /metrics handler', () => {
  it('answers GET with the registry content type and HEAD with no body', async () => {
    const metrics = prometheusMetrics();
    metrics.sink.count('enqueued', { name: 'mail' }, 3);
    const server = await serve(metrics.handler);

    const get = await fetch(server.url);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(
      sampleValue(parseExposition(await get.text()), 'jobservice_jobs_enqueued_total', { name: 'mail' }),
    ).toBe(3);

    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses other methods with 405', async () => {
    const server = await serve(prometheusMetrics().handler);
    const post = await fetch(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 when another metric of the registry fails to collect', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'app_broken',
      help: 'throws',
      registers: [registry],
      collect() {
        throw new Error('broken collector');
      },
    });
    const server = await serve(prometheusMetrics({ registry }).handler);
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('broken collector');
  });

  it('serves an OpenMetrics registry in its own content type', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const metrics = prometheusMetrics({ registry });
    const typed: Registry<OpenMetricsContentType> = metrics.registry;
    expect(typed).toBe(registry);
    metrics.sink.count('completed', { name: 'mail' }, 2);
    const server = await serve(metricsHandler(metrics.registry));
    const response = await fetch(server.url);
    expect(response.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    const text = await response.text();
    expect(text).toContain('jobservice_jobs_completed_total{name="mail"} 2');
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('shares a registry with the application metrics', async () => {
    const registry = new Registry();
    new Counter({ name: 'app_requests_total', help: 'requests', registers: [registry] }).inc(5);
    const metrics = prometheusMetrics({ registry });
    expect(metrics.registry).toBe(registry);
    const server = await serve(metrics.handler);
    const { exposition } = await server.scrape();
    expect(sampleValue(exposition, 'app_requests_total')).toBe(5);
    expect(exposition.types.get('jobservice_jobs_enqueued_total')).toBe('counter');
  });
});
