/**
 * Scenario 1, kill -9: four worker processes, a random one SIGKILLed every
 * 2 s and respawned; every job must complete once, and every extra run must
 * belong to a job that was in flight on a killed worker.
 */
import { Fleet, startBusyLoops, type WorkerSpec } from '../lib/fleet.js';
import { byJob, readLedger } from '../lib/ledger.js';
import { RowSink } from '../lib/report.js';
import { enqueueChaosJobs, errorSummary, fenceCounts, type Scenario } from '../lib/scenario.js';
import { countByStatus, openRun, type ProviderKind } from '../lib/stores.js';
import { fmt, quantile, sleep, waitUntil } from '../lib/util.js';

const WORKERS = 4;
const CONCURRENCY = 2;
const LEASE_MS = 3_000;

interface Kill {
  pid: number;
  at: number;
  /** Jobs the parent knew were running on it (started, not yet ended). */
  inFlight: string[];
}

async function runOnce(sink: RowSink, provider: ProviderKind, busy: boolean, quick: boolean): Promise<void> {
  const label = `${provider} ${busy ? 'busy' : 'quiet'}`;
  const jobs = quick ? 1_000 : 10_000;
  const maxKills = quick ? 4 : 20;
  // The quick form's 1,000 jobs take a few seconds: kill faster so the kills land while jobs run.
  const killEveryMs = quick ? 1_000 : 2_000;
  const run = await openRun(provider, 'kill9');
  const fleet = new Fleet();
  const loops = busy ? startBusyLoops(3) : undefined;
  const inFlight = new Map<number, Set<string>>();
  fleet.onEvent = (e) => {
    const set = inFlight.get(e.pid) ?? new Set<string>();
    inFlight.set(e.pid, set);
    if (e.e === 'started' && e.id) set.add(e.id);
    else if (e.id && ['completed', 'failed', 'retrying', 'released', 'leaseLost'].includes(e.e))
      set.delete(e.id);
  };
  const kills: Kill[] = [];
  let serial = 0;
  const spec = (): WorkerSpec => ({
    name: `w${++serial}`,
    location: run.location,
    leaseMs: LEASE_MS,
    concurrency: CONCURRENCY,
    minMs: 5,
    maxMs: 50,
  });
  const started = Date.now();
  try {
    const ids = await enqueueChaosJobs(run, jobs);
    await Promise.all(Array.from({ length: WORKERS }, () => fleet.start(spec())));
    const remaining = async () => {
      const c = await countByStatus(run.store);
      return c.scheduled + c.running;
    };
    while (kills.length < maxKills && (await remaining()) > 0) {
      await sleep(killEveryMs);
      const victims = fleet.alive;
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim) break;
      kills.push({ pid: victim.pid, at: Date.now(), inFlight: [...(inFlight.get(victim.pid) ?? [])] });
      victim.child.kill('SIGKILL');
      await victim.exited;
      await fleet.start(spec());
    }
    const drained = await waitUntil(async () => (await remaining()) === 0, quick ? 30_000 : 120_000, 250);
    if (!drained) sink.note(`${label}: jobs still scheduled/running when the wait ended`);
    await fleet.stopAll();
    const counts = await countByStatus(run.store);
    const rows = await readLedger(run);
    const runs = byJob(rows);
    const killedAt = new Map(kills.map((k) => [k.pid, k.at]));
    let duplicates = 0;
    let untraceable = 0;
    const perKill = new Map<number, Set<string>>();
    for (const [id, list] of runs) {
      duplicates += list.length - 1;
      for (const row of list.slice(0, -1)) {
        const at = killedAt.get(row.pid);
        if (at === undefined || row.at > at) untraceable++;
        else perKill.set(row.pid, (perKill.get(row.pid) ?? new Set()).add(id));
      }
    }
    const worstKill = Math.max(0, ...[...perKill.values()].map((s) => s.size));
    const rerunDelays: number[] = [];
    for (const kill of kills) {
      for (const id of kill.inFlight) {
        const next = runs.get(id)?.find((r) => r.at > kill.at && r.pid !== kill.pid);
        if (next) rerunDelays.push(next.at - kill.at);
      }
    }
    const neverRan = ids.filter((id) => !runs.has(id)).length;
    const fences = fenceCounts(fleet.events);
    const bound = kills.length * CONCURRENCY;
    sink.info(label, 'jobs / kills', `${fmt(jobs)} / ${kills.length}`);
    sink.add(label, 'lost (not completed)', jobs - counts.completed, '= 0', jobs - counts.completed === 0);
    sink.add(label, 'failed', counts.failed, '= 0', counts.failed === 0);
    sink.add(label, 'duplicate runs', duplicates, `≤ ${bound} (kills × concurrency)`, duplicates <= bound);
    sink.add(label, 'duplicates not traced to a kill', untraceable, '= 0', untraceable === 0);
    // A job whose handler had finished but whose settle had not landed yet is in flight too, so one
    // kill can re-run more than `concurrency` jobs; the bound is on the whole run (above).
    sink.info(label, 'most re-runs from one kill (running + finished, unsettled)', worstKill);
    sink.info(label, 'jobs never run (ledger)', neverRan);
    sink.info(
      label,
      'kill → re-run p50 / max (ms)',
      `${fmt(quantile(rerunDelays, 0.5))} / ${fmt(quantile(rerunDelays, 1))} (${rerunDelays.length} jobs)`,
    );
    sink.info(
      label,
      'self-fences / store rejections / recoveries',
      `${fences.selfFenced} / ${fences.rejected} / ${fences.recovered}`,
    );
    sink.info(label, 'wall time (s)', ((Date.now() - started) / 1000).toFixed(1));
    for (const line of errorSummary(fleet)) sink.note(`${label}: ${line}`);
  } finally {
    await loops?.stop();
    await fleet.killAll();
    await run.dispose();
  }
}

/** Scenario 1: kill -9 of random workers on PostgreSQL and fs, quiet and beside CPU hogs. */
export const kill9: Scenario = {
  id: 'kill9',
  title: 'kill -9 of random workers',
  checks:
    '4 worker processes (concurrency 2, lease 3 s, handlers 5–50 ms) run 10,000 jobs while a random worker is SIGKILLed every 2 s and respawned (20 kills), quiet and beside 3 CPU busy loops. Each handler run is appended to a ledger the SDK does not touch (a table / an fsynced file per worker). Lost and failed must be 0; extra runs must be ≤ kills × concurrency and each must be a run on a killed worker that started before its kill.',
  async run(ctx) {
    const sink = new RowSink('kill9');
    const started = Date.now();
    for (const provider of ctx.providers) {
      for (const busy of [false, true]) {
        await sink.guard(`${provider} ${busy ? 'busy' : 'quiet'}`, () =>
          runOnce(sink, provider, busy, ctx.quick),
        );
      }
    }
    return { scenario: 'kill9', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
