import { InvalidInputError, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS, jobMetricNames, prometheusMetrics } from '../src/index.js';
import { parseExposition, sampleValue } from './exposition.js';

function invalid(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('prometheusMetrics options', () => {
  it('rejects a prefix that is not a metric name prefix, naming the field', () => {
    for (const prefix of ['job-service_', '1jobs_', 'jobs service', 'jöbs_']) {
      const error = invalid(() => prometheusMetrics({ prefix }));
      expect(error.field).toBe('prefix');
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(/^prefix: /);
    }
    expect(invalid(() => prometheusMetrics({ prefix: 42 as unknown as string })).field).toBe('prefix');
  });

  it('accepts an empty prefix and colons', async () => {
    const metrics = prometheusMetrics({ prefix: '' });
    metrics.sink.count('started', { name: 'a' }, 1);
    expect(await metrics.metrics()).toContain('jobs_started_total{name="a"} 1');
    expect(() => prometheusMetrics({ prefix: 'acme:jobs_' })).not.toThrow();
  });

  it('rejects buckets that are not ascending positive finite numbers', () => {
    const cases: unknown[] = [
      [],
      [0.1, 0.1],
      [1, 0.5],
      [-1, 1],
      [0, 1],
      [1, Number.POSITIVE_INFINITY],
      [Number.NaN],
      ['1'],
      5,
    ];
    for (const buckets of cases) {
      const error = invalid(() => prometheusMetrics({ buckets: buckets as number[] }));
      expect(error.field).toBe('buckets');
    }
    expect(invalid(() => prometheusMetrics({ buckets: [1, 0.5] })).message).toBe(
      'buckets[1] must be greater than buckets[0] (1)',
    );
  });

  it('rejects other bad options by field', () => {
    expect(invalid(() => prometheusMetrics(null as never)).field).toBe('options');
    expect(invalid(() => prometheusMetrics({ manager: {} as never })).field).toBe('manager');
    expect(invalid(() => prometheusMetrics({ dispatcher: {} as never })).field).toBe('dispatcher');
    expect(invalid(() => prometheusMetrics({ registry: {} as never })).field).toBe('registry');
    expect(invalid(() => prometheusMetrics({ collectDefaultMetrics: 'yes' as never })).field).toBe(
      'collectDefaultMetrics',
    );
  });

  it('refuses a registry that already holds its names, and accepts another prefix there', () => {
    const registry = new Registry();
    prometheusMetrics({ registry });
    const error = invalid(() => prometheusMetrics({ registry }));
    expect(error.field).toBe('registry');
    expect(error.message).toContain('jobservice_jobs_enqueued_total');
    expect(() => prometheusMetrics({ registry, prefix: 'other_' })).not.toThrow();
  });

  it('uses a new registry by default, never the global one', () => {
    const a = prometheusMetrics();
    const b = prometheusMetrics();
    expect(a.registry).not.toBe(globalRegistry);
    expect(a.registry).not.toBe(b.registry);
    expect(globalRegistry.getSingleMetric('jobservice_jobs_enqueued_total')).toBeUndefined();
  });

  it('registers the jobs gauge only with a manager', () => {
    const names = jobMetricNames('jobservice_');
    expect(prometheusMetrics().registry.getSingleMetric(names.jobs)).toBeUndefined();
    const manager = new JobManager({ store: new MemoryDocumentProvider() });
    const withManager = prometheusMetrics({ manager });
    expect(withManager.registry.getSingleMetric(names.jobs)).toBeDefined();
    expect(withManager.registry.getSingleMetric(names.scrapeErrors)).toBeDefined();
    withManager.stop();
  });

  it('collects default process metrics only when asked', async () => {
    expect(await prometheusMetrics().metrics()).not.toContain('process_cpu_user_seconds_total');
    const registry = new Registry();
    prometheusMetrics({ registry, collectDefaultMetrics: true });
    prometheusMetrics({ registry, prefix: 'second_', collectDefaultMetrics: true }); // not twice
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
  });
});

describe('the sink', () => {
  it('records seconds from milliseconds into the configured buckets', async () => {
    const metrics = prometheusMetrics({ buckets: [0.5, 2] });
    metrics.sink.observe('runDurationMs', { name: 'a', outcome: 'completed' }, 1_500);
    metrics.sink.observe('runDurationMs', { name: 'a', outcome: 'completed' }, 250);
    metrics.sink.observe('queueLatencyMs', { name: 'a' }, 3_000);
    const e = parseExposition(await metrics.metrics());
    const run = { name: 'a', outcome: 'completed' };
    expect(sampleValue(e, 'jobservice_job_run_duration_seconds_sum', run)).toBe(1.75);
    expect(sampleValue(e, 'jobservice_job_run_duration_seconds_count', run)).toBe(2);
    expect(sampleValue(e, 'jobservice_job_run_duration_seconds_bucket', { ...run, le: '0.5' })).toBe(1);
    expect(sampleValue(e, 'jobservice_job_run_duration_seconds_bucket', { ...run, le: '2' })).toBe(2);
    expect(sampleValue(e, 'jobservice_job_queue_latency_seconds_bucket', { name: 'a', le: '2' })).toBe(0);
    expect(sampleValue(e, 'jobservice_job_queue_latency_seconds_bucket', { name: 'a', le: '+Inf' })).toBe(1);
    expect(sampleValue(e, 'jobservice_job_queue_latency_seconds_sum', { name: 'a' })).toBe(3);
  });

  it('uses the default buckets, 5 ms to 1 h', async () => {
    const metrics = prometheusMetrics();
    metrics.sink.observe('queueLatencyMs', { name: 'a' }, 1);
    const e = parseExposition(await metrics.metrics());
    const bounds = e.samples
      .filter((s) => s.name === 'jobservice_job_queue_latency_seconds_bucket')
      .map((s) => s.labels.le);
    expect(bounds).toEqual([...DEFAULT_BUCKETS_SECONDS.map(String), '+Inf']);
  });

  it('ignores counts and durations it cannot record instead of throwing', async () => {
    const metrics = prometheusMetrics();
    expect(() => {
      metrics.sink.count('completed', { name: 'a' }, -1);
      metrics.sink.count('completed', { name: 'a' }, Number.NaN);
      metrics.sink.count('unknown' as never, { name: 'a' }, 1);
      metrics.sink.observe('runDurationMs', { name: 'a' }, Number.POSITIVE_INFINITY);
      metrics.sink.observe('unknown' as never, { name: 'a' }, 1);
    }).not.toThrow();
    metrics.sink.count('completed', { name: 'a' }, 2);
    const e = parseExposition(await metrics.metrics());
    expect(sampleValue(e, 'jobservice_jobs_completed_total', { name: 'a' })).toBe(2);
    expect(e.samples.some((s) => s.name === 'jobservice_job_run_duration_seconds_count')).toBe(false);
  });

  it('escapes label values the exposition format needs escaped', async () => {
    const metrics = prometheusMetrics();
    metrics.sink.count('started', { name: 'a"b\\c' }, 1);
    const e = parseExposition(await metrics.metrics());
    expect(sampleValue(e, 'jobservice_jobs_started_total', { name: 'a"b\\c' })).toBe(1);
  });
});
