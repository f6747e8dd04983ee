import { performance } from 'node:perf_hooks';
import type { Scenario } from '../context.js';
import { countRows, queryOnce } from '../env/database.js';
import { buildMetric, skippedMetric } from '../metric.js';
import { sleep } from '../stats.js';
import { WorkerGroup } from '../workers/worker-group.js';
import { openJobservice } from './shared/jobservice-pg.js';

/**
 * One million jobs through PostgreSQL in one worker process at defaults:
 * is the last 100k as fast as the first (dead tuples, index bloat, autovacuum)?
 */
export const soakMillion: Scenario = {
  id: 'soak-million',
  title: '1M jobs through PostgreSQL: first vs last 100k',
  fullOnly: true,
  async run(ctx) {
    const plan = ctx.plan.soak;
    if (!plan) return [];
    const { jobs, window } = plan;
    const concurrency = ctx.plan.onePhase.concurrency;
    const title = `${jobs.toLocaleString('en-US')} jobs, 1 process, concurrency ${concurrency}: throughput per ${window.toLocaleString('en-US')}-job window`;
    const schema = ctx.namespace('jobservice', 'soak');
    const opened = await openJobservice(ctx.databaseUrl, schema);
    if (typeof opened === 'string') {
      return [
        skippedMetric(ctx.log, { id: 'soak-first', title, unit: 'jobs/s', higherIsBetter: true }, opened),
      ];
    }
    const env = { databaseUrl: ctx.databaseUrl, redisUrl: ctx.redisUrl, namespace: schema };
    let group: WorkerGroup | undefined;
    const marks: number[] = [];
    let stats = '';
    try {
      ctx.log(`  soak: inserting ${jobs.toLocaleString('en-US')} jobs…`);
      const inserting = performance.now();
      await opened.preload(jobs);
      const insertRate = (jobs / (performance.now() - inserting)) * 1000;
      await ctx.settleDatabase();
      group = new WorkerGroup('jobservice', env, { processes: 1, concurrency, report: 'count' });
      await group.ready();
      const started = performance.now();
      group.go();
      for (let k = 1; k * window < jobs; k++) {
        await group.startedAtLeast(k * window, 20 * 60_000);
        marks.push(performance.now() - started);
        ctx.log(
          `  soak: ${(k * window).toLocaleString('en-US')} started at ${(marks.at(-1)! / 1000).toFixed(1)} s`,
        );
      }
      await group.startedAtLeast(jobs, 20 * 60_000);
      const remainingSql = `SELECT count(*)::int AS n FROM "${schema}".jobs WHERE status <> 'completed'`;
      while ((await countRows(ctx.databaseUrl, remainingSql)) > 0) await sleep(5);
      marks.push(performance.now() - started);
      const [row] = await queryOnce<Record<string, string>>(
        ctx.databaseUrl,
        `SELECT n_dead_tup, n_live_tup, autovacuum_count, autoanalyze_count, pg_size_pretty(pg_total_relation_size(relid)) AS size
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
        [schema],
      );
      stats = `enqueue ${Math.round(insertRate).toLocaleString('en-US')}/s; after the run: ${JSON.stringify(row)}`;
    } finally {
      await group?.stop();
      await opened.close();
      await queryOnce(ctx.databaseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    }
    const windows = marks.map((t, i) => (window / (t - (i === 0 ? 0 : (marks[i - 1] as number)))) * 1000);
    ctx.log(`  soak: windows ${windows.map((w) => Math.round(w)).join(', ')} jobs/s; ${stats}`);
    const first = windows[0] as number;
    const last = windows.at(-1) as number;
    return [
      buildMetric({
        id: 'soak-windows',
        title,
        unit: 'jobs/s',
        higherIsBetter: true,
        samples: new Map([
          ['jobservice first 100k', [first]],
          ['jobservice last 100k', [last]],
        ]),
        notes: {
          'jobservice last 100k': `all windows: ${windows.map((w) => Math.round(w)).join(', ')}; ${stats}`,
        },
      }),
    ];
  },
};
