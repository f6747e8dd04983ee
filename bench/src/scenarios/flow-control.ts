import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Scenario } from '../context.js';
import { BENCH_DIR, packageVersion } from '../env/versions.js';
import { runPhaseMetric, skippedMetric } from '../metric.js';
import { median } from '../stats.js';
import { loadPostgresProvider } from '../systems/jobservice-postgres.js';
import { runTask } from '../workers/spawn.js';
import { compareSystems, perSecond } from './shared/compare.js';
import type { FlowRun, FlowStore } from './tasks/flow-run.js';
import { fsProblem } from './tasks/fs-run.js';

/** The figure ids of one flow-control metric: keyed is `jobservice`, so the ratio column reads keyed ÷ unkeyed. */
export const KEYED = 'jobservice';
/** The same jobs without concurrency keys, measured in the same run, interleaved with the keyed ones. */
export const UNKEYED = 'jobservice-unkeyed';

const STORES: Record<FlowStore, { id: string; label: string; problem: () => Promise<string | null> }> = {
  memory: { id: 'flow-control-memory', label: 'memory store + channel queue', problem: async () => null },
  fs: {
    id: 'flow-control-fs',
    label: 'fs store (durable) + channel queue',
    problem: fsProblem,
  },
  postgres: {
    id: 'flow-control-pg',
    label: 'PostgreSQL (store + queue)',
    problem: async () => {
      const loaded = await loadPostgresProvider();
      return typeof loaded === 'string' ? loaded : null;
    },
  },
};

/**
 * What the installed open-source BullMQ offers for per-group concurrency,
 * read from its type definitions (never assumed): BullMQ Pro's `group`
 * option is absent from the open-source `JobsOptions`.
 */
export function bullmqGroups(): { version: string; groups: boolean; line: string } {
  const version = packageVersion('bullmq');
  if (version === 'not installed') {
    return {
      version,
      groups: false,
      line: 'BullMQ is not installed in bench/runtime (npm run bench installs it), so no peer figure.',
    };
  }
  const dist = join(BENCH_DIR, 'runtime', 'node_modules', 'bullmq', 'dist', 'esm');
  const files = ['types/job-options.d.ts', 'interfaces/base-job-options.d.ts'].map((f) => join(dist, f));
  const groups = files.some((f) => existsSync(f) && /\bgroup\??\s*:/.test(readFileSync(f, 'utf8')));
  return {
    version,
    groups,
    line: groups
      ? `BullMQ ${version} declares a group option in its JobsOptions.`
      : `No peer figure: BullMQ ${version} (open source, installed in bench/runtime) has no group concurrency — ` +
        'its JobsOptions declare no `group` option; per-group concurrency and group rate limits are BullMQ Pro ' +
        'features. Open-source BullMQ only limits a whole queue (Queue.setGlobalConcurrency, Worker `limiter`).',
  };
}

/** The BullMQ line goes into the report's notes once per run, however many stores run. */
let noted = false;

function flowScenario(store: FlowStore): Scenario {
  const { id, label: storeLabel, problem } = STORES[store];
  return {
    id,
    title: `flow control on the ${storeLabel}: jobs on 100 concurrency keys vs no keys`,
    async run(ctx: BenchContext) {
      const { jobs, keys, concurrency } = ctx.plan.flow;
      const label =
        `flow control, ${storeLabel}: ${jobs.toLocaleString('en-US')} no-op jobs on ${keys} concurrency keys ` +
        `(limit 1 each) vs none, one process, concurrency ${concurrency}`;
      const metric = { id, title: label, unit: 'jobs/s', higherIsBetter: true };
      const why = await problem();
      if (why) return [skippedMetric(ctx.log, metric, why)];
      const bullmq = bullmqGroups();
      ctx.log(`  ${bullmq.line}`);
      if (!bullmq.groups && !noted) ctx.note(`flow-control-*: ${bullmq.line}`);
      noted = true;
      const keyedRuns: FlowRun[] = [];
      const variants = [
        { id: KEYED, keyed: true },
        { id: UNKEYED, keyed: false },
      ];
      const { samples, skipped } = await compareSystems(
        ctx,
        label,
        perSecond,
        async (variant) => {
          const run = await runTask<FlowRun>('scenarios/tasks/flow-run.ts', 'flowThroughput', {
            store,
            keyed: variant.keyed,
            jobs,
            keys,
            concurrency,
            dir: ctx.scratchDir,
            databaseUrl: ctx.databaseUrl,
            schema: ctx.namespace('jobservice', `flow${variant.keyed ? 'k' : 'u'}`),
          });
          if (variant.keyed) keyedRuns.push(run);
          return run.rate;
        },
        variants,
      );
      const keyedNote =
        keyedRuns.length > 0
          ? `keyed: ${keys} keys × limit 1 (job i on tenant:<i mod ${keys}>); timed from dispatcher.start() to the last completed event; most jobs of one key overlapping (stored startedAt–finishedAt): ` +
            `${Math.max(...keyedRuns.map((r) => r.maxPerKey))}; enqueue ${perSecond(median(keyedRuns.map((r) => r.enqueueRate)))}`
          : '';
      const result = runPhaseMetric({
        id,
        label,
        samples,
        skipped,
        notes: {
          [KEYED]: keyedNote,
          [UNKEYED]:
            'unkeyed: the same jobs without a concurrency key, interleaved with the keyed runs (this metric’s baseline)',
        },
      });
      const ratio = result.ratios[UNKEYED];
      ctx.log(
        `  ${label}: keyed ÷ unkeyed ${ratio === undefined ? 'not measured' : `${ratio.toFixed(2)}×`} (target ≥ 0.7×)`,
      );
      return [result];
    },
  };
}

/** Flow control on the memory store (`--only=flow-control-memory`). */
export const flowControlMemory = flowScenario('memory');
/** Flow control on the embedded default, fs store + channel queue (`--only=flow-control-fs`). */
export const flowControlFs = flowScenario('fs');
/** Flow control on PostgreSQL as store and queue (`--only=flow-control-pg`). */
export const flowControlPg = flowScenario('postgres');
