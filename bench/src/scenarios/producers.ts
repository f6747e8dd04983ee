import type { BenchContext, Scenario } from '../context.js';
import { buildMetric } from '../metric.js';
import { percentile, sleep } from '../stats.js';
import type { SystemId, SystemModule } from '../systems/types.js';
import { runTask } from '../workers/spawn.js';
import { WorkerGroup } from '../workers/worker-group.js';
import type { Comparison } from './shared/compare.js';
import type { ProducerRun } from './tasks/produce.js';

/** The doorbells compared: PostgreSQL's NOTIFY (one global lock at commit) and RabbitMQ. */
const DOORBELLS: readonly SystemId[] = ['jobservice', 'jobservice-pg-rabbitmq'];

/**
 * Many producers, two workers: 8 producer processes enqueue single jobs as
 * fast as they can while 2 worker processes run them, on the PostgreSQL
 * store with each doorbell. Reports the enqueue rate and the enqueue →
 * start delay (p50, p95, p99) side by side.
 */
export const producers: Scenario = {
  id: 'producers',
  title: '8 producer processes enqueueing single jobs, 2 workers: NOTIFY vs RabbitMQ doorbell',
  async run(ctx) {
    const { processes, seconds, workers, concurrency } = ctx.plan.producers;
    const systems = ctx.systems.filter((s) => DOORBELLS.includes(s.id));
    const rate: Comparison = { samples: new Map(), skipped: {} };
    const p50: Comparison = { samples: new Map(), skipped: rate.skipped };
    const p95: Comparison = { samples: new Map(), skipped: rate.skipped };
    const p99: Comparison = { samples: new Map(), skipped: rate.skipped };
    for (const id of DOORBELLS) {
      if (!systems.some((s) => s.id === id)) rate.skipped[id] = ctx.unavailable[id] ?? 'not selected';
    }
    for (let round = 0; round < ctx.plan.reps; round++) {
      for (const system of systems) {
        if (rate.skipped[system.id]) continue;
        try {
          const run = await oneRound(ctx, system, { processes, seconds, workers, concurrency });
          for (const [target, value] of [
            [rate, run.rate],
            [p50, percentile(run.delays, 50)],
            [p95, percentile(run.delays, 95)],
            [p99, percentile(run.delays, 99)],
          ] as const) {
            target.samples.set(system.id, [...(target.samples.get(system.id) ?? []), value]);
          }
          ctx.log(
            `  producers · ${system.id} · rep ${round + 1}: ${Math.round(run.rate)} enqueues/s, ` +
              `p50 ${percentile(run.delays, 50).toFixed(1)} / p95 ${percentile(run.delays, 95).toFixed(1)} ms`,
          );
        } catch (error) {
          rate.skipped[system.id] = `failed: ${(error as Error).message.split('\n')[0]}`;
          ctx.log(`  producers · ${system.id}: FAILED ${(error as Error).message}`);
        }
      }
    }
    const shape = `${processes} producer processes × ${seconds} s, ${workers} workers × concurrency ${concurrency}`;
    return [
      buildMetric({
        id: 'producers-rate',
        title: `enqueue rate (${shape})`,
        unit: 'jobs/s',
        higherIsBetter: true,
        ...rate,
      }),
      buildMetric({
        id: 'producers-p50',
        title: `enqueue → start p50 (${shape})`,
        unit: 'ms',
        higherIsBetter: false,
        ...p50,
      }),
      buildMetric({
        id: 'producers-p95',
        title: `enqueue → start p95 (${shape})`,
        unit: 'ms',
        higherIsBetter: false,
        ...p95,
      }),
      buildMetric({
        id: 'producers-p99',
        title: `enqueue → start p99 (${shape})`,
        unit: 'ms',
        higherIsBetter: false,
        ...p99,
      }),
    ];
  },
};

async function oneRound(
  ctx: BenchContext,
  system: SystemModule,
  shape: { processes: number; seconds: number; workers: number; concurrency: number },
): Promise<{ rate: number; delays: number[] }> {
  const env = {
    databaseUrl: ctx.databaseUrl,
    redisUrl: ctx.redisUrl,
    namespace: ctx.namespace(system.id, 'prod'),
  };
  const parent = system.create(env);
  let group: WorkerGroup | undefined;
  try {
    await parent.install();
    group = new WorkerGroup(system.id, env, {
      processes: shape.workers,
      concurrency: shape.concurrency,
      report: 'latency',
    });
    const delays: number[] = [];
    group.onLatency = (ms) => delays.push(ms);
    await group.ready();
    group.go();
    await sleep(1_000); // listening and idle
    const runs = await Promise.all(
      Array.from({ length: shape.processes }, () =>
        runTask<ProducerRun>('scenarios/tasks/produce.ts', 'produceFor', {
          system: system.id,
          env,
          ms: shape.seconds * 1_000,
        }),
      ),
    );
    const enqueued = runs.reduce((sum, r) => sum + r.count, 0);
    const errors = runs.reduce((sum, r) => sum + r.errors, 0);
    if (errors > 0) throw new Error(`${errors} enqueue calls threw`);
    const deadline = Date.now() + 120_000;
    while (delays.length < enqueued && Date.now() < deadline) await sleep(50);
    if (delays.length < enqueued)
      throw new Error(`${enqueued - delays.length} jobs had not started after 120 s`);
    return { rate: enqueued / shape.seconds, delays };
  } finally {
    await group?.stop();
    await parent.uninstall().catch(() => {});
    await parent.close().catch(() => {});
  }
}
