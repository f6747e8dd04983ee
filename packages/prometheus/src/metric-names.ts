import type { JobCounter, JobHistogram } from '@jobservice/core';

/** The full names of every metric this package registers, for one prefix. */
export interface JobMetricNames {
  /** `<prefix>jobs_<counter>_total`, one per counter. */
  counters: Readonly<Record<JobCounter, string>>;
  /** `<prefix>job_queue_latency_seconds` and `<prefix>job_run_duration_seconds`. */
  histograms: Readonly<Record<JobHistogram, string>>;
  /** `<prefix>jobs`: the store gauge by `name` and `status`. */
  jobs: string;
  /** `<prefix>jobs_scrape_errors_total`: store reads for the gauge that failed. */
  scrapeErrors: string;
}

/** Every counter core reports, in a stable order. */
export const JOB_COUNTERS: readonly JobCounter[] = Object.freeze([
  'enqueued',
  'started',
  'completed',
  'retried',
  'failed',
  'cancelled',
  'recovered',
]);

/**
 * The metric names for `prefix`, after Prometheus conventions: counters end
 * in `_total`, durations are in seconds.
 *
 * @example
 * jobMetricNames('jobservice_').counters.enqueued; // 'jobservice_jobs_enqueued_total'
 */
export function jobMetricNames(prefix: string): JobMetricNames {
  const counters = Object.fromEntries(
    JOB_COUNTERS.map((counter) => [counter, `${prefix}jobs_${counter}_total`]),
  ) as Record<JobCounter, string>;
  return {
    counters,
    histograms: {
      queueLatencyMs: `${prefix}job_queue_latency_seconds`,
      runDurationMs: `${prefix}job_run_duration_seconds`,
    },
    jobs: `${prefix}jobs`,
    scrapeErrors: `${prefix}jobs_scrape_errors_total`,
  };
}

/** Every name in `names`, flat. */
export function allMetricNames(names: JobMetricNames): string[] {
  return [
    ...Object.values(names.counters),
    ...Object.values(names.histograms),
    names.jobs,
    names.scrapeErrors,
  ];
}
