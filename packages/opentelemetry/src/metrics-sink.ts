import {
  JOB_METRIC_DESCRIPTIONS,
  type JobCounter,
  type JobHistogram,
  type JobMetricLabels,
  type JobMetricsSink,
} from '@jobservice/core';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { ATTR_JOBSERVICE_OUTCOME, ATTR_MESSAGING_DESTINATION_NAME } from './attributes.js';

/** The OpenTelemetry metric name of each jobservice counter. */
export const COUNTER_METRIC_NAMES: Readonly<Record<JobCounter, string>> = {
  enqueued: 'jobservice.jobs.enqueued',
  started: 'jobservice.jobs.started',
  completed: 'jobservice.jobs.completed',
  retried: 'jobservice.jobs.retried',
  failed: 'jobservice.jobs.failed',
  cancelled: 'jobservice.jobs.cancelled',
  recovered: 'jobservice.jobs.recovered',
};

/** The OpenTelemetry metric name of each jobservice histogram (recorded in seconds, unit `s`). */
export const HISTOGRAM_METRIC_NAMES: Readonly<Record<JobHistogram, string>> = {
  queueLatencyMs: 'jobservice.job.queue_latency',
  runDurationMs: 'jobservice.job.run_duration',
};

/**
 * Bucket boundaries (seconds) advised for the duration histograms: the
 * OpenTelemetry semantic conventions' defaults for `s` durations, plus a
 * few longer ones for jobs that run for minutes.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 300,
];

const COUNTER_UNITS: Readonly<Record<JobCounter, string>> = {
  enqueued: '{job}',
  started: '{attempt}',
  completed: '{job}',
  retried: '{attempt}',
  failed: '{job}',
  cancelled: '{job}',
  recovered: '{job}',
};

/**
 * A {@link JobMetricsSink} recording into `meter`: each counter as a
 * `Counter` named after {@link COUNTER_METRIC_NAMES}, each histogram as a
 * `Histogram` in seconds (unit `s`, the OpenTelemetry convention for
 * durations; jobservice measures milliseconds, divided by 1,000 here).
 * Attributes: `messaging.destination.name` (the callback name) and, on
 * `jobservice.job.run_duration`, `jobservice.outcome`. Feed it with
 * `observeJobMetrics({ manager, dispatcher }, sink)` from `@jobservice/core`
 * (or let {@link instrument} do it).
 *
 * @example
 * const stop = observeJobMetrics({ manager, dispatcher }, jobMetricsSink(meterProvider.getMeter('jobs')));
 */
export function jobMetricsSink(meter: Meter): JobMetricsSink {
  const counters = new Map<JobCounter, Counter>();
  const histograms = new Map<JobHistogram, Histogram>();
  for (const [counter, name] of Object.entries(COUNTER_METRIC_NAMES) as [JobCounter, string][]) {
    counters.set(
      counter,
      meter.createCounter(name, {
        description: JOB_METRIC_DESCRIPTIONS[counter],
        unit: COUNTER_UNITS[counter],
      }),
    );
  }
  for (const [histogram, name] of Object.entries(HISTOGRAM_METRIC_NAMES) as [JobHistogram, string][]) {
    histograms.set(
      histogram,
      meter.createHistogram(name, {
        description: JOB_METRIC_DESCRIPTIONS[histogram],
        unit: 's',
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
      }),
    );
  }
  return {
    count(counter, labels, by) {
      counters.get(counter)?.add(by, metricAttributes(labels));
    },
    observe(histogram, labels, valueMs) {
      histograms.get(histogram)?.record(valueMs / 1000, metricAttributes(labels));
    },
  };
}

function metricAttributes(labels: JobMetricLabels): Attributes {
  const attributes: Attributes = { [ATTR_MESSAGING_DESTINATION_NAME]: labels.name };
  if (labels.outcome !== undefined) attributes[ATTR_JOBSERVICE_OUTCOME] = labels.outcome;
  return attributes;
}
