import { JOB_METRIC_DESCRIPTIONS, type JobManager } from '@jobservice/core';
import { Counter, Gauge } from 'prom-client';
import type { JobMetricNames } from './metric-names.js';
import type { AnyRegistry } from './registry.js';

/**
 * Registers the `jobs{name,status}` gauge, read from `manager.countJobs()`
 * at each scrape, and the `jobs_scrape_errors_total` counter beside it.
 *
 * Each read resets the gauge before setting it, so a `name`/`status` pair
 * that no longer has jobs disappears. A read that fails leaves the gauge
 * empty for that scrape (no stale numbers) and counts one scrape error; the
 * rest of the scrape goes on. The error counter waits for the read of the
 * same scrape, so the failure shows in the scrape it happened in.
 */
export function registerJobsGauge(
  registry: AnyRegistry,
  names: JobMetricNames,
  manager: Pick<JobManager, 'countJobs'>,
): void {
  let pendingRead: Promise<void> | undefined;
  const errors = new Counter({
    name: names.scrapeErrors,
    help: 'Reads of the store for the jobs gauge that failed (the rest of the scrape went on)',
    registers: [],
    async collect() {
      await pendingRead;
    },
  });

  const read = async (gauge: Gauge<'name' | 'status'>): Promise<void> => {
    try {
      const counts = await manager.countJobs();
      gauge.reset();
      for (const { name, status, count } of counts) gauge.set({ name, status }, count);
    } catch {
      gauge.reset();
      errors.inc();
    }
  };

  // The gauge is registered before the error counter: a registry starts
  // collecting its metrics in registration order.
  new Gauge({
    name: names.jobs,
    help: JOB_METRIC_DESCRIPTIONS.jobs,
    labelNames: ['name', 'status'] as const,
    registers: [registry],
    collect() {
      const current = read(this);
      pendingRead = current;
      return current.finally(() => {
        if (pendingRead === current) pendingRead = undefined;
      });
    },
  });
  registry.registerMetric(errors);
}
