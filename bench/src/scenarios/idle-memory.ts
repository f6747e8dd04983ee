import type { Scenario } from '../context.js';
import { queryOnce } from '../env/database.js';
import { buildMetric, skippedMetric } from '../metric.js';
import { median } from '../stats.js';
import { runTask } from '../workers/spawn.js';
import { executionTime, explainAnalyze, openJobservice } from './shared/jobservice-pg.js';
import type { IdleSamples } from './tasks/idle-dispatcher.js';

/**
 * A default dispatcher idling while a large backlog waits in PostgreSQL
 * (jobs due in an hour): its memory should stay flat, and its idle claim
 * (once a second) should stay cheap.
 */
export const idleMemory: Scenario = {
  id: 'idle-memory',
  title: 'dispatcher idling over a large backlog of not-yet-due jobs',
  async run(ctx) {
    const { jobs, seconds } = ctx.plan.idle;
    const id = 'idle-memory';
    const title = `idle dispatcher over ${jobs.toLocaleString('en-US')} queued jobs (due in 1 h), ${seconds} s: heap growth after GC`;
    const schema = ctx.namespace('jobservice', 'idle');
    const opened = await openJobservice(ctx.databaseUrl, schema);
    if (typeof opened === 'string') {
      return [skippedMetric(ctx.log, { id, title, unit: 'MB', higherIsBetter: false }, opened)];
    }
    let samples: IdleSamples;
    let note: string;
    try {
      ctx.log(`  idle: inserting ${jobs.toLocaleString('en-US')} jobs due in an hour…`);
      await opened.preload(jobs, 3_600_000);
      await ctx.settleDatabase();
      await opened.provider.claim({ names: ['noop'], limit: 20, workerId: 'bench', leaseMs: 30_000 });
      const statement = opened.lastStatement('claim');
      const plan = statement ? await explainAnalyze(ctx.databaseUrl, statement) : 'not captured';
      ctx.attach(
        `idle claim over ${jobs.toLocaleString('en-US')} not-yet-due jobs (EXPLAIN ANALYZE, BUFFERS)`,
        plan,
      );
      samples = await runTask<IdleSamples>(
        'scenarios/tasks/idle-dispatcher.ts',
        'idleDispatcher',
        { databaseUrl: ctx.databaseUrl, schema, seconds },
        { nodeFlags: ['--expose-gc'] },
      );
      const [scheduled] = await queryOnce<{ n: number }>(
        ctx.databaseUrl,
        `SELECT count(*)::int AS n FROM "${schema}".jobs WHERE status = 'scheduled'`,
      );
      const rss = growth(samples.rssMB);
      note =
        `heap ${samples.heapUsedMB[0]?.toFixed(1)} → ${samples.heapUsedMB.at(-1)?.toFixed(1)} MB, ` +
        `RSS ${samples.rssMB[0]?.toFixed(1)} → ${samples.rssMB.at(-1)?.toFixed(1)} MB (growth ${rss.toFixed(1)} MB); ` +
        `jobs started: ${samples.started}; still scheduled: ${scheduled?.n}; idle claim ${executionTime(plan)}`;
      ctx.log(`  idle: ${note}`);
    } finally {
      await opened.close();
    }
    const heap = growth(samples.heapUsedMB);
    return [
      buildMetric({
        id,
        title,
        unit: 'MB',
        higherIsBetter: false,
        samples: new Map([['jobservice', [heap]]]),
        notes: { jobservice: note },
      }),
    ];
  },
};

/** Median of the last three samples minus median of the first three (MB). */
function growth(series: number[]): number {
  return median(series.slice(-3)) - median(series.slice(0, 3));
}
