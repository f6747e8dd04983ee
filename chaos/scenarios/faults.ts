/**
 * Scenario 6, fault injection: dispatchers on a store and queue whose calls
 * fail or hang past the lease for a while. The dispatchers must keep
 * running, report and log the errors, back off, lose nothing, and complete
 * every job once the faults stop.
 */
import {
  BaseJobCallback,
  type JobContext,
  JobDispatcher,
  JobExecutionResult,
  type Logger,
} from '@jobservice/core';
import { FaultSwitch, faultyQueue, faultyStore } from '../lib/fault-injection.js';
import { RowSink } from '../lib/report.js';
import { enqueueChaosJobs, type Scenario } from '../lib/scenario.js';
import { countByStatus, openRun, type ProviderKind } from '../lib/stores.js';
import { fmt, randomInt, sleep, waitUntil } from '../lib/util.js';

const LEASE_MS = 2_000;

async function runOnce(sink: RowSink, provider: ProviderKind, quick: boolean): Promise<void> {
  const run = await openRun(provider, 'faults');
  const faults = new FaultSwitch({ failRate: 0.2, hangRate: 0.05, hangMs: LEASE_MS * 1.5 });
  const runs = new Map<string, number>();
  let logged = 0;
  const logger: Logger = { debug() {}, info() {}, warn: () => void logged++, error: () => void logged++ };
  class FaultJob extends BaseJobCallback {
    static jobName = 'chaos';
    async execute(ctx: JobContext) {
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      await sleep(randomInt(50, 150));
      return JobExecutionResult.success(null);
    }
  }
  const store = faultyStore(run.store, faults);
  const queue = faultyQueue(run.queue, faults);
  const dispatchers = [1, 2].map(
    (n) =>
      new JobDispatcher({
        store,
        queue,
        callbacks: [FaultJob],
        concurrency: 4,
        leaseMs: LEASE_MS,
        idlePollMs: 500,
        logger,
        workerId: `faulty-${n}`,
      }),
  );
  let errors = 0;
  for (const d of dispatchers) d.on('error', () => errors++);
  const label = provider;
  const jobs = quick ? 400 : 1_200;
  const faultMs = quick ? 6_000 : 15_000;
  try {
    // Slow jobs down enough that the fault phase falls on work in progress.
    await enqueueChaosJobs(run, jobs, () => ({}), { maxAttempts: 20 });
    faults.enabled = true;
    const faultStart = Date.now();
    for (const d of dispatchers) await d.start();
    await sleep(faultMs);
    faults.enabled = false;
    const healedAt = Date.now();
    const states = dispatchers.map((d) => d.state);
    const done = await waitUntil(
      async () => (await countByStatus(run.store)).completed === jobs,
      90_000,
      250,
    );
    const recoverMs = Date.now() - healedAt;
    const counts = await countByStatus(run.store);
    const claims = faults.callTimes.get('store.claim') ?? [];
    const claimRate = claims.length / (faultMs / 1000) / dispatchers.length;
    const duplicates = [...runs.values()].reduce((a, n) => a + n - 1, 0);
    sink.info(
      label,
      'calls while faulted: thrown / hung / all',
      `${faults.counts.thrown} / ${faults.counts.hung} / ${faults.counts.calls}`,
    );
    sink.add(
      label,
      'dispatchers still running after faults',
      states.join(', '),
      'running, running',
      states.every((s) => s === 'running'),
    );
    sink.add(
      label,
      'error events / log lines',
      `${errors} / ${logged}`,
      '> 0 / > 0',
      errors > 0 && logged > 0,
    );
    sink.add(
      label,
      'claims per second per dispatcher while faulted',
      claimRate.toFixed(1),
      '≤ 50 (backs off)',
      claimRate <= 50,
    );
    sink.outcome(label, jobs, counts, done, recoverMs, 'faults stop');
    sink.info(label, 'extra runs (hung settles, recovered leases)', duplicates);
    sink.info(label, 'fault phase (ms) / jobs', `${fmt(healedAt - faultStart)} / ${fmt(jobs)}`);
  } finally {
    faults.enabled = false;
    await Promise.all(dispatchers.map((d) => d.stop({ graceMs: 1_000 }).catch(() => {})));
    await run.dispose();
  }
}

/** Scenario 6: faults injected into the store and queue calls. */
export const faultInjection: Scenario = {
  id: 'faults',
  title: 'fault injection in store and queue calls',
  checks:
    'Two dispatchers (concurrency 4, lease 2 s) on a wrapped store and queue (chaos/lib/fault-injection.ts): while faults are on, 20 % of calls throw and 5 % hang 3 s (past the lease) before going through. The dispatchers must stay running, emit error events and log, claim no more than 50 times a second (backoff, no busy loop), and after the faults stop complete every job (maxAttempts 20: this scenario is about losing nothing, not attempt counting).',
  async run(ctx) {
    const sink = new RowSink('faults');
    const started = Date.now();
    for (const provider of ctx.providers)
      await sink.guard(provider, () => runOnce(sink, provider, ctx.quick));
    return { scenario: 'faults', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
