import { type JobCount, MemoryDocumentProvider } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Quick } from './callbacks.js';
import { family, sampleValue } from './exposition.js';
import { type Rig, startRig } from './fixture.js';

/** A memory store whose `countJobs` fails while `broken` is set. */
class FlakyCountStore extends MemoryDocumentProvider {
  broken = false;

  override async countJobs(): Promise<JobCount[]> {
    if (this.broken) throw new Error('store unreachable');
    return super.countJobs();
  }
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

describe('a store read that fails at scrape time', () => {
  it('still serves the counters, counts the error in the same scrape and recovers', async () => {
    const store = new FlakyCountStore();
    const rig = await startRig({ store });
    rigs.push(rig);
    const { manager, events, server } = rig;
    const { id } = await manager.enqueue(Quick, { n: 1 });
    await manager.waitFor(id);
    await events.ended(id);

    const healthy = (await server.scrape()).exposition;
    expect(sampleValue(healthy, 'jobservice_jobs', { name: 'quick', status: 'completed' })).toBe(1);
    expect(sampleValue(healthy, 'jobservice_jobs_scrape_errors_total')).toBe(0);

    store.broken = true;
    const first = (await server.scrape()).exposition;
    expect(sampleValue(first, 'jobservice_jobs_completed_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(first, 'jobservice_jobs_enqueued_total', { name: 'quick' })).toBe(1);
    expect(sampleValue(first, 'jobservice_job_queue_latency_seconds_count', { name: 'quick' })).toBe(1);
    expect(family(first, 'jobservice_jobs')).toEqual({}); // no stale numbers
    expect(first.types.get('jobservice_jobs')).toBe('gauge');
    expect(sampleValue(first, 'jobservice_jobs_scrape_errors_total')).toBe(1);

    const second = (await server.scrape()).exposition;
    expect(sampleValue(second, 'jobservice_jobs_scrape_errors_total')).toBe(2);
    expect(sampleValue(second, 'jobservice_jobs_completed_total', { name: 'quick' })).toBe(1);

    store.broken = false;
    const recovered = (await server.scrape()).exposition;
    expect(sampleValue(recovered, 'jobservice_jobs', { name: 'quick', status: 'completed' })).toBe(1);
    expect(sampleValue(recovered, 'jobservice_jobs_scrape_errors_total')).toBe(2);
  });
});
