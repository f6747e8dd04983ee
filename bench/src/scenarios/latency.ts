import type { Scenario } from '../context.js';
import { buildMetric } from '../metric.js';
import { percentile, sleep } from '../stats.js';
import type { SystemModule } from '../systems/types.js';
import { WorkerGroup } from '../workers/worker-group.js';
import type { Comparison } from './shared/compare.js';

/**
 * Enqueue → handler start on an idle worker: the producer (this process)
 * enqueues one job at a time; a worker in another process reports the delay
 * from just before the enqueue call to the first line of its handler
 * (`process.hrtime`, one monotonic clock for both processes).
 */
export const latency: Scenario = {
  id: 'latency',
  title: 'enqueue → handler start, idle worker, producer in another process',
  async run(ctx) {
    const { samples: perRep, warmupSamples, concurrency } = ctx.plan.latency;
    const { reps } = ctx.plan;
    const p50: Comparison = { samples: new Map(), skipped: { ...ctx.unavailable } };
    const p95: Comparison = { samples: new Map(), skipped: p50.skipped };
    const p99: Comparison = { samples: new Map(), skipped: p50.skipped };
    for (const system of ctx.systems) {
      try {
        const delays = await sampleLatency(
          ctx.databaseUrl,
          ctx.redisUrl,
          ctx.namespace(system.id, 'lat'),
          system,
          {
            count: warmupSamples + perRep * reps,
            concurrency,
          },
        );
        const measured = delays.slice(warmupSamples);
        const reps50: number[] = [];
        const reps95: number[] = [];
        const reps99: number[] = [];
        for (let r = 0; r < reps; r++) {
          const block = measured.slice(r * perRep, (r + 1) * perRep);
          reps50.push(percentile(block, 50));
          reps95.push(percentile(block, 95));
          reps99.push(percentile(block, 99));
        }
        p50.samples.set(system.id, reps50);
        p95.samples.set(system.id, reps95);
        p99.samples.set(system.id, reps99);
        ctx.log(
          `  latency · ${system.id}: p50 ${percentile(measured, 50).toFixed(2)} ms, p95 ${percentile(measured, 95).toFixed(2)} ms, p99 ${percentile(measured, 99).toFixed(2)} ms`,
        );
      } catch (error) {
        p50.skipped[system.id] = `failed: ${(error as Error).message.split('\n')[0]}`;
        ctx.log(`  latency · ${system.id}: FAILED ${(error as Error).message}`);
      }
    }
    const title = (p: string) =>
      `enqueue → handler start ${p} (${perRep} samples × ${reps} reps, idle worker, producer in another process)`;
    return [
      buildMetric({ id: 'latency-p50', title: title('p50'), unit: 'ms', higherIsBetter: false, ...p50 }),
      buildMetric({ id: 'latency-p95', title: title('p95'), unit: 'ms', higherIsBetter: false, ...p95 }),
      buildMetric({ id: 'latency-p99', title: title('p99'), unit: 'ms', higherIsBetter: false, ...p99 }),
    ];
  },
};

async function sampleLatency(
  databaseUrl: string,
  redisUrl: string | null,
  namespace: string,
  system: SystemModule,
  options: { count: number; concurrency: number },
): Promise<number[]> {
  const env = { databaseUrl, redisUrl, namespace };
  const producer = system.create(env);
  let group: WorkerGroup | undefined;
  try {
    await producer.install();
    group = new WorkerGroup(system.id, env, {
      processes: 1,
      concurrency: options.concurrency,
      report: 'latency',
    });
    await group.ready();
    group.go();
    await sleep(1_000); // listening and idle
    const delays: number[] = [];
    for (let i = 0; i < options.count; i++) {
      const arrived = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('a job did not start within 10 s')), 10_000);
        (group as WorkerGroup).onLatency = (ms) => {
          clearTimeout(timer);
          resolve(ms);
        };
      });
      await producer.enqueueOne({ t: process.hrtime.bigint().toString() });
      delays.push(await arrived);
      await sleep(10 + Math.random() * 10); // the completion lands; the worker is idle again
    }
    return delays;
  } finally {
    await group?.stop();
    await producer.uninstall().catch(() => {});
    await producer.close().catch(() => {});
  }
}
