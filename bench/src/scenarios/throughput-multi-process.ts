import type { Scenario } from '../context.js';
import { runPhaseMetric } from '../metric.js';
import { compareSessions, perSecond } from './shared/compare.js';
import { throughputSession } from './shared/throughput.js';

/** The same no-op jobs through several worker processes sharing one database. */
export const throughputMultiProcess: Scenario = {
  id: 'pg-throughput-4p',
  title: 'pre-inserted no-op jobs, 4 worker processes',
  async run(ctx) {
    const { jobs, processes, concurrency } = ctx.plan.multi;
    const label = `${jobs.toLocaleString('en-US')} jobs, ${processes} processes × concurrency ${concurrency}`;
    const { samples, skipped } = await compareSessions(ctx, label, perSecond, (system, rounds, onRound) =>
      throughputSession(ctx, system, { jobs, processes, concurrency, tag: `${processes}p` }, rounds, onRound),
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
