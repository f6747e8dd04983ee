import type { Scenario } from '../context.js';
import { runPhaseMetric } from '../metric.js';
import { scalingMetricId } from '../report/scaling.js';
import type { MetricResult } from '../results.js';
import type { SystemId } from '../systems/types.js';
import { compareSessions, perSecond } from './shared/compare.js';
import { throughputSession } from './shared/throughput.js';

/** The systems compared when `--systems` names none (each process count is a full session per system). */
const DEFAULT_SYSTEMS: readonly SystemId[] = ['jobservice', 'graphile-worker'];

/**
 * How each system scales with worker processes: the no-op throughput of
 * `pg-throughput-*` (the same pre-inserted jobs at every count) at 1, 2 and
 * 4 processes; one metric per count, from which the report builds the
 * scaling table (each count ÷ the system's own 1-process figure).
 */
export const pgScaling: Scenario = {
  id: 'pg-scaling',
  title: 'pre-inserted no-op jobs at 1, 2 and 4 worker processes: scaling vs own 1 process',
  async run(ctx) {
    const { jobs, processes, concurrency } = ctx.plan.scaling;
    const chosen = (id: string) => ctx.systemsNamed || DEFAULT_SYSTEMS.includes(id as SystemId);
    const scoped = {
      ...ctx,
      systems: ctx.systems.filter((s) => chosen(s.id)),
      unavailable: Object.fromEntries(Object.entries(ctx.unavailable).filter(([id]) => chosen(id))),
    };
    const metrics: MetricResult[] = [];
    for (const count of processes) {
      const label = `scaling: ${jobs.toLocaleString('en-US')} jobs, ${count} process${count === 1 ? '' : 'es'} × concurrency ${concurrency}`;
      const { samples, skipped } = await compareSessions(
        scoped,
        label,
        perSecond,
        (system, rounds, onRound) =>
          throughputSession(
            scoped,
            system,
            { jobs, processes: count, concurrency, tag: `scale${count}p` },
            rounds,
            onRound,
          ),
      );
      metrics.push(runPhaseMetric({ id: scalingMetricId(count), label, samples, skipped }));
    }
    return metrics;
  },
};
