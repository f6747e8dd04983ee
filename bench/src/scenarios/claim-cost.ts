import { performance } from 'node:perf_hooks';
import type { Scenario } from '../context.js';
import { buildMetric, skippedMetric } from '../metric.js';
import { median } from '../stats.js';
import { executionTime, explainAnalyze, openJobservice } from './shared/jobservice-pg.js';

/** A claim of 20 jobs (what a dispatcher at concurrency 10 with prefetch 10 asks for): the per-claim cost of finding and leasing due rows. */
const LIMIT = 20;

/** jobservice's claim statement with few and with very many jobs queued: does its cost grow with the backlog? */
export const claimCost: Scenario = {
  id: 'claim-cost',
  title: 'claim cost with a small and a large backlog',
  async run(ctx) {
    const { small, large, claims } = ctx.plan.claimCost;
    const id = 'claim-cost';
    const title = `one claim of ${LIMIT} jobs (store.claim), ${fmt(small)} vs ${fmt(large)} queued`;
    const opened = await openJobservice(ctx.databaseUrl, ctx.namespace('jobservice', 'claim'));
    if (typeof opened === 'string') {
      return [skippedMetric(ctx.log, { id, title, unit: 'ms', higherIsBetter: false }, opened)];
    }
    const samples = new Map<string, number[]>();
    const notes: Record<string, string> = {};
    try {
      let queued = 0;
      for (const size of [small, large]) {
        ctx.log(`  claim cost: inserting up to ${fmt(size)} queued jobs…`);
        await opened.preload(size - queued);
        queued = size;
        await ctx.settleDatabase();
        const request = { names: ['noop'], limit: LIMIT, workerId: 'bench', leaseMs: 30_000 };
        for (let i = 0; i < 10; i++) await opened.provider.claim(request); // warm-up
        const perRep: number[] = [];
        const per = Math.ceil(claims / ctx.plan.reps);
        for (let rep = 0; rep < ctx.plan.reps; rep++) {
          const times: number[] = [];
          for (let i = 0; i < per; i++) {
            const started = performance.now();
            await opened.provider.claim(request);
            times.push(performance.now() - started);
          }
          perRep.push(median(times));
        }
        const key = `jobservice @ ${fmt(size)} queued`;
        samples.set(key, perRep);
        const statement = opened.lastStatement('claim');
        if (statement) {
          const plan = await explainAnalyze(ctx.databaseUrl, statement);
          ctx.attach(`claim plan, ${fmt(size)} queued (EXPLAIN ANALYZE, BUFFERS)`, plan);
          notes[key] = `EXPLAIN ANALYZE ${executionTime(plan)}`;
          ctx.log(
            `  claim cost @ ${fmt(size)}: median ${median(perRep).toFixed(3)} ms; plan ${executionTime(plan)}`,
          );
        }
      }
    } finally {
      await opened.close();
    }
    return [buildMetric({ id, title, unit: 'ms', higherIsBetter: false, samples, notes })];
  },
};

const fmt = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);
