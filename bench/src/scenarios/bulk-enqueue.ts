import { performance } from 'node:perf_hooks';
import type { Scenario } from '../context.js';
import { buildMetric } from '../metric.js';
import { compareSystems, perSecond } from './shared/compare.js';

/** One call inserting N no-op jobs (graphile-worker `addJobs`, pg-boss `insert`, BullMQ `addBulk`, …). */
export const bulkEnqueue: Scenario = {
  id: 'bulk-enqueue',
  title: 'bulk enqueue in one call',
  async run(ctx) {
    const { jobs } = ctx.plan.bulk;
    const label = `bulk enqueue ${jobs.toLocaleString('en-US')} jobs in one call`;
    const { samples, skipped } = await compareSystems(ctx, label, perSecond, async (system) => {
      const env = {
        databaseUrl: ctx.databaseUrl,
        redisUrl: ctx.redisUrl,
        namespace: ctx.namespace(system.id, 'bulk'),
      };
      const adapter = system.create(env);
      try {
        await adapter.install();
        await adapter.enqueueOne({}); // connections open and statements prepared, as in a running producer
        await ctx.settleDatabase();
        const started = performance.now();
        await adapter.bulkEnqueue(jobs);
        return (jobs / (performance.now() - started)) * 1000;
      } finally {
        await adapter.uninstall().catch(() => {});
        await adapter.close().catch(() => {});
      }
    });
    return [
      buildMetric({ id: this.id, title: label, unit: 'jobs/s', higherIsBetter: true, samples, skipped }),
    ];
  },
};
