import type { Scenario } from '../context.js';
import { runPhaseMetric } from '../metric.js';
import { compareSessions, perSecond } from './shared/compare.js';
import { throughputSession } from './shared/throughput.js';

/** PostgreSQL (and Redis for BullMQ): pre-inserted no-op jobs through one worker process. */
export const throughputOneProcess: Scenario = {
  id: 'pg-throughput-1p',
  title: 'pre-inserted no-op jobs, one worker process',
  async run(ctx) {
    const { jobs, concurrency } = ctx.plan.onePhase;
    const label = `${jobs.toLocaleString('en-US')} jobs, 1 process, concurrency ${concurrency}`;
    const { samples, skipped } = await compareSessions(ctx, label, perSecond, (system, rounds, onRound) =>
      throughputSession(ctx, system, { jobs, processes: 1, concurrency, tag: '1p' }, rounds, onRound),
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
