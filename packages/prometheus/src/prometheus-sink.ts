import {
  JOB_METRIC_DESCRIPTIONS,
  type JobCounter,
  type JobHistogram,
  type JobMetricLabels,
  type JobMetricsSink,
} from '@jobservice/core';
import { Counter, Histogram } from 'prom-client';
import { JOB_COUNTERS, type JobMetricNames } from './metric-names.js';
import type { AnyRegistry } from './registry.js';

/**
 * Registers the job counters and histograms on `registry` and returns a
 * {@link JobMetricsSink} that records into them: counts by callback `name`,
 * durations converted from milliseconds to seconds. The sink never throws
 * (it runs inside the dispatcher's events): a count that is not a
 * non-negative finite number, or a counter or histogram this version does
 * not know, is ignored.
 */
export function prometheusSink(
  registry: AnyRegistry,
  names: JobMetricNames,
  buckets: readonly number[],
): JobMetricsSink {
  const registers = [registry];
  const counters = new Map<JobCounter, Counter<'name'>>(
    JOB_COUNTERS.map((counter) => [
      counter,
      new Counter({
        name: names.counters[counter],
        help: JOB_METRIC_DESCRIPTIONS[counter],
        labelNames: ['name'] as const,
        registers,
      }),
    ]),
  );
  const histograms = new Map<JobHistogram, Histogram<'name' | 'outcome'>>([
    [
      'queueLatencyMs',
      new Histogram({
        name: names.histograms.queueLatencyMs,
        help: `${JOB_METRIC_DESCRIPTIONS.queueLatencyMs}, in seconds`,
        labelNames: ['name'] as const,
        buckets: [...buckets],
        registers,
      }),
    ],
    [
      'runDurationMs',
      new Histogram({
        name: names.histograms.runDurationMs,
        help: `${JOB_METRIC_DESCRIPTIONS.runDurationMs}, in seconds`,
        labelNames: ['name', 'outcome'] as const,
        buckets: [...buckets],
        registers,
      }),
    ],
  ]);

  return {
    count(counter: JobCounter, labels: JobMetricLabels, by: number): void {
      const metric = counters.get(counter);
      if (!metric || !Number.isFinite(by) || by < 0) return;
      metric.inc({ name: labels.name }, by);
    },
    observe(histogram: JobHistogram, labels: JobMetricLabels, valueMs: number): void {
      const metric = histograms.get(histogram);
      if (!metric || !Number.isFinite(valueMs) || valueMs < 0) return;
      const values =
        histogram === 'runDurationMs' && labels.outcome !== undefined
          ? { name: labels.name, outcome: labels.outcome }
          : { name: labels.name };
      metric.observe(values, valueMs / 1000);
    },
  };
}
