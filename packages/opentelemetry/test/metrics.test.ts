import { type JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../src/index.js';
import { Doomed, dispatcherFor, Flaky, recordEnds, SendEmail } from './support.js';

/** A reader a test collects from by hand. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function points(metrics: ResourceMetrics, name: string) {
  const metric = metrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return { descriptor: metric?.descriptor, points: (metric?.dataPoints ?? []) as DataPoint<unknown>[] };
}

function valueFor(metrics: ResourceMetrics, name: string, attributes: Record<string, string>): unknown {
  return points(metrics, name).points.find((p) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  )?.value;
}

describe('metrics', () => {
  let reader: CollectingReader;
  let meterProvider: MeterProvider;
  let store: MemoryDocumentProvider;
  let manager: JobManager;
  let dispatcher: JobDispatcher;
  let stop: () => void;
  let ends: ReturnType<typeof recordEnds>;

  beforeEach(() => {
    reader = new CollectingReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    store = new MemoryDocumentProvider();
    manager = new JobManager({ store, callbacks: [SendEmail, Flaky, Doomed] });
    dispatcher = dispatcherFor(store);
    stop = instrument({ manager, dispatcher, meterProvider, traces: false });
    ends = recordEnds(dispatcher);
  });

  afterEach(async () => {
    stop();
    await dispatcher.stop();
    await store.close();
    await meterProvider.shutdown();
  });

  it('counts, times and gauges the jobs it ran', async () => {
    const results = await manager.enqueueMany([
      { callback: SendEmail, metadata: { to: 'ada@example.com' } },
      { callback: SendEmail, metadata: { to: 'grace@example.com' } },
      { callback: Flaky, metadata: { n: 1 } },
      { callback: Doomed, metadata: { n: 1 } },
    ]);
    const [a, b, flaky, doomed] = results.map((r) => r.id) as [string, string, string, string];
    await dispatcher.start();
    await Promise.all([
      ends.until('completed', a),
      ends.until('completed', b),
      ends.until('completed', flaky),
      ends.until('failed', doomed),
    ]);

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const name = 'messaging.destination.name';
    expect(valueFor(resourceMetrics, 'jobservice.jobs.enqueued', { [name]: 'send-email' })).toBe(2);
    expect(valueFor(resourceMetrics, 'jobservice.jobs.completed', { [name]: 'send-email' })).toBe(2);
    expect(valueFor(resourceMetrics, 'jobservice.jobs.completed', { [name]: 'flaky' })).toBe(1);
    expect(valueFor(resourceMetrics, 'jobservice.jobs.retried', { [name]: 'flaky' })).toBe(2);
    expect(valueFor(resourceMetrics, 'jobservice.jobs.started', { [name]: 'flaky' })).toBe(3);
    expect(valueFor(resourceMetrics, 'jobservice.jobs.failed', { [name]: 'doomed' })).toBe(1);
    expect(points(resourceMetrics, 'jobservice.jobs.completed').descriptor?.description).toBe(
      'Jobs completed',
    );

    const latency = points(resourceMetrics, 'jobservice.job.queue_latency');
    expect(latency.descriptor?.unit).toBe('s');
    const latencyForEmail = latency.points.find((p) => p.attributes[name] === 'send-email');
    expect((latencyForEmail?.value as Histogram | undefined)?.count).toBe(2);
    const run = points(resourceMetrics, 'jobservice.job.run_duration');
    expect(run.descriptor?.unit).toBe('s');
    const retriedRuns = run.points.find(
      (p) => p.attributes[name] === 'flaky' && p.attributes['jobservice.outcome'] === 'retried',
    );
    expect((retriedRuns?.value as Histogram | undefined)?.count).toBe(2);

    const gauge = { name: 'jobservice.jobs', status: 'jobservice.job.status' };
    expect(valueFor(resourceMetrics, gauge.name, { [name]: 'send-email', [gauge.status]: 'completed' })).toBe(
      2,
    );
    expect(valueFor(resourceMetrics, gauge.name, { [name]: 'flaky', [gauge.status]: 'completed' })).toBe(1);
    expect(valueFor(resourceMetrics, gauge.name, { [name]: 'doomed', [gauge.status]: 'failed' })).toBe(1);
  });

  it('stops recording and observing once removed', async () => {
    stop();
    const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' });
    await dispatcher.start();
    await ends.until('completed', id);

    const { resourceMetrics } = await reader.collect();
    const recorded = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.dataPoints.length > 0);
    expect(recorded).toEqual([]);
  });
});
