import type { DispatcherEvents } from '../dispatcher/dispatcher-events.js';
import type { JobDispatcher } from '../dispatcher/job-dispatcher.js';
import type { JobManager } from '../manager/job-manager.js';
import type { JobDocument } from '../model/job.js';

/** The counters jobservice reports, each per callback name. */
export type JobCounter =
  | 'enqueued'
  | 'started'
  | 'completed'
  | 'retried'
  | 'failed'
  | 'cancelled'
  | 'recovered';

/** The histograms jobservice reports, in milliseconds, per callback name. */
export type JobHistogram =
  /** From when a job was due (`runAt`) to when its attempt started. */
  | 'queueLatencyMs'
  /** How long an attempt's handler ran, labelled with how it ended. */
  | 'runDurationMs';

/** How an attempt ended, as `runDurationMs` labels it. */
export type AttemptOutcome = 'completed' | 'retried' | 'failed' | 'cancelled';

/** The labels of one measurement. */
export interface JobMetricLabels {
  /** The callback name. */
  name: string;
  /** `runDurationMs` only. */
  outcome?: AttemptOutcome;
}

/**
 * Where measurements go: an exporter (`@jobservice/prometheus`, the
 * OpenTelemetry bridge in `@jobservice/opentelemetry`) or your own.
 * Called synchronously from the dispatcher's events: keep it cheap.
 */
export interface JobMetricsSink {
  count(counter: JobCounter, labels: JobMetricLabels, by: number): void;
  observe(histogram: JobHistogram, labels: JobMetricLabels, valueMs: number): void;
}

/** What each metric means, for exporters' help texts: one wording everywhere. */
export const JOB_METRIC_DESCRIPTIONS: Readonly<Record<JobCounter | JobHistogram | 'jobs', string>> = {
  enqueued: 'Jobs enqueued (created; an idempotency key that found its job is not counted)',
  started: 'Attempts started',
  completed: 'Jobs completed',
  retried: 'Attempts that failed and were scheduled again',
  failed: 'Jobs failed for good',
  cancelled: 'Jobs cancelled while running',
  recovered: "Jobs this worker's reaper recovered from a lapsed lease",
  queueLatencyMs: 'Time from a job being due to its attempt starting',
  runDurationMs: "Time an attempt's handler ran",
  jobs: 'Jobs in the store by callback name and status, read at each scrape',
};

/** What {@link observeJobMetrics} reads. */
export interface JobMetricsSources {
  /** Counts `enqueued`. */
  manager?: JobManager;
  /** Counts attempts and their outcomes; times them. */
  dispatcher?: JobDispatcher;
}

/**
 * Feeds `sink` from a manager's enqueues and a dispatcher's events. Costs
 * nothing until called; the returned function stops it.
 *
 * @example
 * const stop = observeJobMetrics({ manager, dispatcher }, sink);
 */
export function observeJobMetrics(sources: JobMetricsSources, sink: JobMetricsSink): () => void {
  const stops: Array<() => void> = [];
  if (sources.manager) stops.push(countEnqueues(sources.manager, sink));
  if (sources.dispatcher) stops.push(...countAttempts(sources.dispatcher, sink));
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

function countEnqueues(manager: JobManager, sink: JobMetricsSink): () => void {
  return manager.wrapEnqueue(async (jobs, insert) => {
    const results = await insert();
    results.forEach((result, i) => {
      const job = jobs[i];
      if (result.created && job) sink.count('enqueued', { name: job.name }, 1);
    });
    return results;
  });
}

function countAttempts(dispatcher: JobDispatcher, sink: JobMetricsSink): Array<() => void> {
  const on = <K extends keyof DispatcherEvents>(
    event: K,
    listener: (payload: DispatcherEvents[K]) => void,
  ) => {
    dispatcher.on(event, listener);
    return () => dispatcher.off(event, listener);
  };
  const ended = (outcome: AttemptOutcome, job: JobDocument, durationMs: number) => {
    sink.count(outcome, { name: job.name }, 1);
    if (durationMs > 0) sink.observe('runDurationMs', { name: job.name, outcome }, durationMs);
  };
  return [
    on('started', ({ job }) => {
      sink.count('started', { name: job.name }, 1);
      sink.observe('queueLatencyMs', { name: job.name }, queueLatency(job));
    }),
    on('completed', ({ job, durationMs }) => ended('completed', job, durationMs)),
    on('retrying', ({ job, durationMs }) => ended('retried', job, durationMs)),
    on('failed', ({ job, durationMs }) => ended('failed', job, durationMs)),
    on('cancelled', ({ job, durationMs }) => ended('cancelled', job, durationMs)),
    on('recovered', ({ job }) => sink.count('recovered', { name: job.name }, 1)),
  ];
}

/**
 * `start − runAt`: the store's start time where the claim started the job,
 * else this worker's clock (a prefetched job starts after its claim, and
 * its copy holds `startedAt: null`); never negative.
 */
function queueLatency(job: JobDocument): number {
  const startedAt = job.startedAt ?? Date.now();
  return Math.max(0, startedAt - job.runAt);
}
