import { performance } from 'node:perf_hooks';
import type { Scenario } from '../context.js';
import { buildMetric } from '../metric.js';
import { baselineCopy } from '../systems/baseline.js';
import type { SystemId, SystemModule } from '../systems/types.js';
import { compareSystems, perSecond } from './shared/compare.js';

/** One figure of this scenario: a system, or the baseline's COPY variant (in the baseline's namespace). */
interface BulkEntry {
  id: string;
  namespaceOf: SystemId;
  create: SystemModule['create'];
}

/**
 * One call inserting N no-op jobs (graphile-worker `addJobs`, pg-boss `insert`, BullMQ `addBulk`, …);
 * with `baseline`, both library-free floors: the `unnest` INSERT and `COPY … FROM STDIN`.
 */
export const bulkEnqueue: Scenario = {
  id: 'bulk-enqueue',
  title: 'bulk enqueue in one call',
  async run(ctx) {
    const { jobs } = ctx.plan.bulk;
    const label = `bulk enqueue ${jobs.toLocaleString('en-US')} jobs in one call`;
    const entries: BulkEntry[] = ctx.systems.flatMap((system) => {
      const entry = { id: system.id, namespaceOf: system.id, create: system.create };
      return system.id === 'baseline' ? [entry, { ...baselineCopy, namespaceOf: system.id }] : [entry];
    });
    const compared = await compareSystems(
      ctx,
      label,
      perSecond,
      async (entry) => {
        const env = {
          databaseUrl: ctx.databaseUrl,
          redisUrl: ctx.redisUrl,
          namespace: ctx.namespace(entry.namespaceOf, entry.id === baselineCopy.id ? 'bulkc' : 'bulk'),
        };
        const adapter = entry.create(env);
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
      },
      entries,
    );
    const skipped = { ...ctx.unavailable, ...compared.skipped };
    const notes = { [baselineCopy.id]: baselineCopy.note };
    return [
      buildMetric({
        id: this.id,
        title: label,
        unit: 'jobs/s',
        higherIsBetter: true,
        samples: compared.samples,
        skipped,
        notes,
      }),
    ];
  },
};
