import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../../context.js';
import { summarizeCpuProfiles } from '../../report/cpu-profile.js';
import { monotonicMs, sleep } from '../../stats.js';
import type { SystemModule } from '../../systems/types.js';
import { WorkerGroup } from '../../workers/worker-group.js';

/** Options for {@link throughputSession}. */
export interface ThroughputOptions {
  jobs: number;
  processes: number;
  concurrency: number;
  /** A tag for the schema name. */
  tag: string;
}

/**
 * One system's throughput session: a fresh schema and its worker processes,
 * then `rounds` times: pre-insert `jobs` no-op jobs (workers halted),
 * CHECKPOINT + ANALYZE, start the workers and time the run phase — from the
 * first handler start (any process) until every job is recorded as finished
 * in the system's own store (handler starts counted over IPC, then the store
 * polled every 2 ms). Worker start-up (connecting, migration checks, LISTEN)
 * is outside the timing for every system alike. Finished jobs stay between
 * rounds where the system keeps history. Calls `onRound` with jobs/s.
 */
export async function throughputSession(
  ctx: BenchContext,
  system: SystemModule,
  options: ThroughputOptions,
  rounds: number,
  onRound: (rate: number) => void,
): Promise<void> {
  const env = {
    databaseUrl: ctx.databaseUrl,
    redisUrl: ctx.redisUrl,
    namespace: ctx.namespace(system.id, options.tag),
  };
  const adapter = system.create(env);
  let group: WorkerGroup | undefined;
  try {
    await adapter.install();
    const profileDir = join(ctx.scratchDir, `profile-${env.namespace}`);
    const profiled = ctx.profile && system.id === 'jobservice';
    if (profiled) mkdirSync(profileDir, { recursive: true });
    group = new WorkerGroup(system.id, env, {
      processes: options.processes,
      concurrency: options.concurrency,
      report: 'count',
      ...(profiled ? { profileDir } : {}),
    });
    await group.ready();
    const limitMs = Math.max(60_000, options.jobs); // 1 ms per job at worst
    for (let round = 0; round < rounds; round++) {
      await adapter.preload(options.jobs);
      await ctx.settleDatabase();
      const went = monotonicMs();
      group.go();
      await group.startedAtLeast(options.jobs, limitMs);
      for (;;) {
        const left = await adapter.remaining();
        if (left === 0) break;
        if (monotonicMs() - went > limitMs) {
          throw new Error(
            `${left} of ${options.jobs} jobs still unfinished after ${limitMs} ms (${group.started} started)`,
          );
        }
        await sleep(2);
      }
      onRound((options.jobs / (monotonicMs() - (group.first || went))) * 1000);
      await group.halt();
    }
    await group.stop();
    if (profiled) {
      const title = `CPU profile: jobservice worker (run phases only), ${options.jobs} jobs × ${rounds} rounds, ${options.processes} process(es)`;
      ctx.attach(title, summarizeCpuProfiles(profileDir));
    }
  } finally {
    await group?.stop();
    await adapter.uninstall().catch(() => {});
    await adapter.close().catch(() => {});
  }
}
