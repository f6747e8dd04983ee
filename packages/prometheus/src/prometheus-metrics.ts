import { type JobMetricsSink, observeJobMetrics } from '@jobservice/core';
import {
  collectDefaultMetrics,
  type PrometheusContentType,
  Registry,
  type RegistryContentType,
} from 'prom-client';
import { registerJobsGauge } from './jobs-gauge.js';
import { allMetricNames, jobMetricNames } from './metric-names.js';
import { type MetricsHandler, metricsHandler } from './metrics-handler.js';
import { type PrometheusMetricsOptions, resolveOptions } from './options.js';
import { prometheusSink } from './prometheus-sink.js';
import { type AnyRegistry, checkRegistry } from './registry.js';

/** What {@link prometheusMetrics} returns. */
export interface PrometheusMetrics<T extends RegistryContentType = PrometheusContentType> {
  /** The registry holding the metrics: the one passed in, else a new one (never prom-client's global). */
  readonly registry: Registry<T>;
  /**
   * Records into the counters and histograms. Already fed from the
   * `manager` and `dispatcher` passed in; hand it to `observeJobMetrics`
   * for more dispatchers.
   */
  readonly sink: JobMetricsSink;
  /** Answers a scrape with the registry's metrics: mount it on `/metrics`. */
  readonly handler: MetricsHandler;
  /** The registry's metrics in the text exposition format (the `jobs` gauge read afresh). */
  metrics(): Promise<string>;
  /**
   * Stops observing the manager and dispatcher (idempotent). The metrics stay
   * registered and keep their values; the `jobs` gauge still reads the
   * store at each scrape.
   */
  stop(): void;
}

/** The process metric prom-client's default collection registers first; present means it already ran. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/**
 * Prometheus metrics for jobservice on prom-client: per-callback counters of
 * enqueues, attempts and outcomes, queue latency and run duration histograms
 * in seconds, and a `jobs{name,status}` gauge read from the store at each
 * scrape. Bad options throw an `InvalidInputError` naming the field.
 *
 * @example
 * const metrics = prometheusMetrics({ manager, dispatcher });
 * createServer((req, res) =>
 *   req.url === '/metrics' ? metrics.handler(req, res) : res.writeHead(404).end(),
 * ).listen(9464);
 * // at shutdown
 * metrics.stop();
 */
export function prometheusMetrics<T extends RegistryContentType = PrometheusContentType>(
  options: PrometheusMetricsOptions<T> = {},
): PrometheusMetrics<T> {
  const resolved = resolveOptions(options as PrometheusMetricsOptions<RegistryContentType>);
  const names = jobMetricNames(resolved.prefix);
  const registry: AnyRegistry =
    options.registry === undefined ? new Registry() : checkRegistry(options.registry, allMetricNames(names));

  const sink = prometheusSink(registry, names, resolved.buckets);
  if (resolved.manager) registerJobsGauge(registry, names, resolved.manager);
  if (resolved.collectDefaultMetrics && registry.getSingleMetric(DEFAULT_METRICS_MARKER) === undefined) {
    collectDefaultMetrics({ register: registry as Registry });
  }

  let stopObserving: (() => void) | undefined = observeJobMetrics(
    { manager: resolved.manager, dispatcher: resolved.dispatcher },
    sink,
  );
  return {
    registry: registry as unknown as Registry<T>,
    sink,
    handler: metricsHandler(registry),
    metrics: () => registry.metrics(),
    stop() {
      stopObserving?.();
      stopObserving = undefined;
    },
  };
}
