import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../context.js';
import { runPhaseMetric, skippedMetric } from '../metric.js';
import type { MetricResult } from '../results.js';
import { median } from '../stats.js';
import { runTask } from '../workers/spawn.js';
import { compareSystems, perSecond } from './shared/compare.js';
import { type FsRun, fsProblem } from './tasks/fs-run.js';

const MODES = ['durable', 'relaxed'] as const;

/** jobservice alone: fs store (durable, then relaxed) + channel queue, dispatcher defaults; fsyncs per job. */
export const fsThroughput: Scenario = {
  id: 'fs-throughput',
  title: 'fs store + channel queue, durable and relaxed',
  async run(ctx) {
    const { jobs } = ctx.plan.fs;
    const problem = await fsProblem();
    const metrics: MetricResult[] = [];
    for (const mode of MODES) {
      const label = `fs store (${mode}) + channel queue, ${jobs.toLocaleString('en-US')} jobs, dispatcher defaults`;
      if (problem) {
        metrics.push(
          skippedMetric(
            ctx.log,
            { id: `fs-${mode}`, title: label, unit: 'jobs/s', higherIsBetter: true },
            problem,
          ),
        );
        continue;
      }
      const runs: FsRun[] = [];
      const { samples, skipped } = await compareSystems(
        ctx,
        label,
        perSecond,
        async () => {
          const run = await runTask<FsRun>('scenarios/tasks/fs-run.ts', 'fsThroughput', {
            jobs,
            durability: mode,
            dir: ctx.scratchDir,
          });
          runs.push(run);
          return run.rate;
        },
        [{ id: 'jobservice' }],
      );
      const measured = runs.slice(-ctx.plan.reps);
      let note =
        `fsyncs/job (in-process count): enqueue ${median(measured.map((r) => r.enqueueFsyncsPerJob)).toFixed(2)}, ` +
        `run ${median(measured.map((r) => r.runFsyncsPerJob)).toFixed(2)}; ` +
        `enqueue ${perSecond(median(measured.map((r) => r.enqueueRate)))}`;
      const traced = await straceCount(ctx.scratchDir, Math.min(jobs, 2_000), mode);
      if (traced) note += `; strace -c -f: ${traced}`;
      ctx.log(`  ${label}: ${note}`);
      metrics.push(
        runPhaseMetric({
          id: `fs-${mode}`,
          label,
          samples,
          skipped,
          notes: { jobservice: note },
        }),
      );
    }
    return metrics;
  },
};

/** One more (untimed) run under `strace -c -f`: fsync + fdatasync calls of the whole process per job. */
async function straceCount(dir: string, jobs: number, mode: string): Promise<string | null> {
  if (spawnSync('strace', ['-V']).status !== 0) return null;
  const out = join(dir, `strace-${mode}-${Date.now()}.txt`);
  try {
    await runTask(
      'scenarios/tasks/fs-run.ts',
      'fsThroughput',
      { jobs, durability: mode, dir },
      { straceTo: out },
    );
    const text = readFileSync(out, 'utf8');
    let calls = 0;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      const name = cols[cols.length - 1];
      if (name === 'fsync' || name === 'fdatasync') calls += Number(cols[3]);
    }
    return `${(calls / jobs).toFixed(2)} fsync+fdatasync per job (whole process, enqueue + run of ${jobs.toLocaleString('en-US')} jobs)`;
  } catch (error) {
    return `strace run failed (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(out, { force: true });
  }
}
