import { afterEach, describe, expect, it } from 'vitest';
import { Blocked, Doomed, Flaky, Quick } from './callbacks.js';
import { family, sampleValue } from './exposition.js';
import { type Rig, startRig } from './fixture.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});
async function rig(options?: Parameters<typeof startRig>[0]): Promise<Rig> {
  const started = await startRig(options);
  rigs.push(started);
  return started;
}

describe('prometheusMetrics over HTTP', () => {
  it('counts, times and gauges real jobs, scraped while one runs and after', async () => {
    const { manager, metrics, events, server } = await rig();
    const quick = await Promise.all([1, 2].map((n) => manager.enqueue(Quick, { n })));
    const flaky = await manager.enqueue(Flaky, { n: 3 });
    const doomed = await manager.enqueue(Doomed, { n: 4 });
    await Promise.all(quick.map(({ id }) => manager.waitFor(id)));
    await manager.waitFor(flaky.id);
    await expect(manager.waitFor(doomed.id)).rejects.toMatchObject({ code: 'JOB_FAILED' });
    await Promise.all([...quick, flaky, doomed].map(({ id }) => events.ended(id)));

    // Enqueued once the others ended: with no queue to ring, a dispatcher
    // busy with a job claims a due retry only once it is idle again.
    const blocked = await manager.enqueue(Blocked, { n: 5 });
    await events.when('started', blocked.id);

    // While `blocked` runs.
    const during = await server.scrape();
    expect(during.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(during.contentType).toBe(metrics.registry.contentType);
    const e = during.exposition;
    expect(family(e, 'jobservice_jobs_enqueued_total')).toEqual({
      'name=blocked': 1,
      'name=doomed': 1,
      'name=flaky': 1,
      'name=quick': 2,
    });
    expect(family(e, 'jobservice_jobs_started_total')).toEqual({
      'name=blocked': 1,
      'name=doomed': 1,
      'name=flaky': 2,
      'name=quick': 2,
    });
    expect(family(e, 'jobservice_jobs_completed_total')).toEqual({ 'name=flaky': 1, 'name=quick': 2 });
    expect(family(e, 'jobservice_jobs_retried_total')).toEqual({ 'name=flaky': 1 });
    expect(family(e, 'jobservice_jobs_failed_total')).toEqual({ 'name=doomed': 1 });
    expect(family(e, 'jobservice_jobs_cancelled_total')).toEqual({});
    expect(family(e, 'jobservice_jobs_recovered_total')).toEqual({});
    expect(e.types.get('jobservice_jobs_enqueued_total')).toBe('counter');
    expect(e.help.get('jobservice_jobs_enqueued_total')).toMatch(/^Jobs enqueued/);

    expect(family(e, 'jobservice_job_queue_latency_seconds_count')).toEqual({
      'name=blocked': 1,
      'name=doomed': 1,
      'name=flaky': 2,
      'name=quick': 2,
    });
    expect(family(e, 'jobservice_job_run_duration_seconds_count')).toEqual({
      'name=doomed,outcome=failed': 1,
      'name=flaky,outcome=completed': 1,
      'name=flaky,outcome=retried': 1,
      'name=quick,outcome=completed': 2,
    });
    expect(e.types.get('jobservice_job_run_duration_seconds')).toBe('histogram');
    expect(
      sampleValue(e, 'jobservice_job_run_duration_seconds_bucket', {
        name: 'quick',
        outcome: 'completed',
        le: '+Inf',
      }),
    ).toBe(2);

    expect(family(e, 'jobservice_jobs')).toEqual({
      'name=blocked,status=running': 1,
      'name=doomed,status=failed': 1,
      'name=flaky,status=completed': 1,
      'name=quick,status=completed': 2,
    });
    expect(e.types.get('jobservice_jobs')).toBe('gauge');
    expect(sampleValue(e, 'jobservice_jobs_scrape_errors_total')).toBe(0);

    // After `blocked` completes: the running pair is gone, not left at 1.
    Blocked.gate.open();
    await manager.waitFor(blocked.id);
    await events.ended(blocked.id);
    const after = (await server.scrape()).exposition;
    expect(family(after, 'jobservice_jobs')).toEqual({
      'name=blocked,status=completed': 1,
      'name=doomed,status=failed': 1,
      'name=flaky,status=completed': 1,
      'name=quick,status=completed': 2,
    });
    expect(sampleValue(after, 'jobservice_jobs_completed_total', { name: 'blocked' })).toBe(1);
    expect(
      sampleValue(after, 'jobservice_job_run_duration_seconds_count', {
        name: 'blocked',
        outcome: 'completed',
      }),
    ).toBe(1);

    // The registry agrees with what went over the wire.
    const json = await metrics.registry.getMetricsAsJSON();
    const started = json.find((m) => m.name === 'jobservice_jobs_started_total');
    const total = started?.values.reduce((sum, v) => sum + v.value, 0);
    expect(total).toBe(6);
    expect(
      after.samples
        .filter((s) => s.name === 'jobservice_jobs_started_total')
        .reduce((a, s) => a + s.value, 0),
    ).toBe(total);
    expect(await metrics.metrics()).toContain('jobservice_jobs_completed_total{name="blocked"} 1');
  });

  it('counts a cancelled running job with its run duration', async () => {
    const { manager, events, server } = await rig();
    const { id } = await manager.enqueue(Blocked, { n: 1 });
    await events.when('started', id);
    expect(await manager.cancel(id)).toBe('requested');
    await expect(manager.waitFor(id)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await events.ended(id);
    const e = (await server.scrape()).exposition;
    expect(sampleValue(e, 'jobservice_jobs_cancelled_total', { name: 'blocked' })).toBe(1);
    expect(
      sampleValue(e, 'jobservice_job_run_duration_seconds_count', { name: 'blocked', outcome: 'cancelled' }),
    ).toBe(1);
    expect(family(e, 'jobservice_jobs')).toEqual({ 'name=blocked,status=cancelled': 1 });
  });

  it('stops counting after stop(), while the gauge still reads the store', async () => {
    const { manager, metrics, events, server } = await rig();
    const first = await manager.enqueue(Quick, { n: 1 });
    await manager.waitFor(first.id);
    await events.ended(first.id);

    metrics.stop();
    metrics.stop(); // idempotent
    const second = await manager.enqueue(Quick, { n: 2 });
    await manager.waitFor(second.id);
    await events.ended(second.id);

    const e = (await server.scrape()).exposition;
    expect(sampleValue(e, 'jobservice_jobs_enqueued_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'jobservice_jobs_started_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'jobservice_jobs_completed_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'jobservice_job_queue_latency_seconds_count', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'jobservice_jobs', { name: 'quick', status: 'completed' })).toBe(2);
  });

  it('uses the prefix for every name', async () => {
    const { manager, events, server } = await rig({ metrics: { prefix: 'acme_' } });
    const { id } = await manager.enqueue(Quick, { n: 1 });
    await manager.waitFor(id);
    await events.ended(id);
    const e = (await server.scrape()).exposition;
    expect(sampleValue(e, 'acme_jobs_completed_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'acme_job_queue_latency_seconds_count', { name: 'quick' })).toBe(1);
    expect(sampleValue(e, 'acme_jobs', { name: 'quick', status: 'completed' })).toBe(1);
    expect(e.samples.some((s) => s.name.startsWith('jobservice_'))).toBe(false);
  });
});
