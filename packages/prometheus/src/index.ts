/**
 * @jobservice/prometheus: Prometheus metrics for jobservice on prom-client —
 * counters, histograms and store gauges behind a `/metrics` handler.
 */
export type { JobMetricNames } from './metric-names.js';
export { jobMetricNames } from './metric-names.js';
export type { MetricsHandler } from './metrics-handler.js';
export { metricsHandler } from './metrics-handler.js';
export type { PrometheusMetricsOptions } from './options.js';
export { DEFAULT_BUCKETS_SECONDS, DEFAULT_PREFIX } from './options.js';
export type { PrometheusMetrics } from './prometheus-metrics.js';
export { prometheusMetrics } from './prometheus-metrics.js';
export type { AnyRegistry } from './registry.js';
