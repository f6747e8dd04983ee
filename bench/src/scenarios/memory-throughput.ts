import type { Scenario } from '../context.js';
import { runPhaseMetric } from '../metric.js';
import { runTask } from '../workers/spawn.js';
import { compareSystems, perSecond } from './shared/compare.js';
import type { InProcessRun } from './tasks/in-process-run.js';

/** jobservice alone: memory store + channel queue, each repetition in a fresh process. */
export const memoryThroughput: Scenario = {
  id: 'memory-throughput',
  title: 'memory store + channel queue',
  async run(ctx) {
    const { jobs, concurrency, prefetch } = ctx.plan.memory;
    const label = `memory store + channel queue, ${jobs.toLocaleString('en-US')} jobs, concurrency ${concurrency}, prefetch ${prefetch}`;
    const { samples, skipped } = await compareSystems(
      ctx,
      label,
      perSecond,
      async () => {
        const run = await runTask<InProcessRun>('scenarios/tasks/memory-run.ts', 'memoryThroughput', {
          jobs,
          concurrency,
          prefetch,
        });
        return run.rate;
      },
      [{ id: 'jobservice' }],
    );
    return [
      runPhaseMetric({
        id: this.id,
        label,
        samples,
        skipped,
      }),
    ];
  },
};
