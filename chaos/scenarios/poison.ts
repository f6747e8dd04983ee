/**
 * Scenario 2, poison: jobs whose handler SIGKILLs its own worker, among
 * innocent jobs, with the dispatcher's default prefetch. Innocent jobs must
 * not fail; each poison job must fail after exactly maxAttempts crashes.
 */
import { Fleet, type Proc, type WorkerSpec } from '../lib/fleet.js';
import { byJob, readLedger } from '../lib/ledger.js';
import { RowSink } from '../lib/report.js';
import { enqueueChaosJobs, errorSummary, fenceCounts, type Scenario } from '../lib/scenario.js';
import { countByStatus, openPostgresRun } from '../lib/stores.js';
import { sleep } from '../lib/util.js';

const MAX_ATTEMPTS = 3;
const POISON = 2;
const INNOCENT = 30;
const WORKERS = 2;
const LEASE_MS = 2_000;
/**
 * One job runs at a time per worker, so a crash is the poison job's alone.
 * With more, the jobs running beside a poison job when it kills the worker
 * were running too, and each spends that attempt (a crash costs the jobs it
 * was running): they can fail after maxAttempts such crashes.
 */
const CONCURRENCY = 1;

function statusList(statuses: readonly string[]): string {
  if (statuses.length === 0) return '';
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return ` (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')})`;
}

/** Scenario 2: poison jobs that crash their worker every time (PostgreSQL store + queue). */
export const poison: Scenario = {
  id: 'poison',
  title: 'poison jobs that SIGKILL their worker',
  checks: `${POISON} jobs whose handler SIGKILLs its own worker (respawned each time) among ${INNOCENT} innocent jobs (50 ms), 2 workers, concurrency 1 (so a crash is the poison job's alone), default prefetch, maxAttempts ${MAX_ATTEMPTS}, PostgreSQL store + queue. Innocent jobs failed must be 0; each poison job must end failed after exactly maxAttempts crashes (ledger rows).`,
  async run(ctx) {
    const sink = new RowSink('poison');
    const started = Date.now();
    if (!ctx.providers.includes('postgres')) {
      sink.note('skipped: needs --provider=postgres');
      return { scenario: 'poison', rows: sink.rows, notes: sink.notes, ms: 0 };
    }
    const run = await openPostgresRun('poison');
    const fleet = new Fleet();
    let serial = 0;
    const spec = (): WorkerSpec => ({
      name: `p${++serial}`,
      location: run.location,
      leaseMs: LEASE_MS,
      concurrency: CONCURRENCY,
      minMs: 50,
      maxMs: 50,
    });
    const label = 'postgres';
    try {
      const ids = await enqueueChaosJobs(
        run,
        POISON + INNOCENT,
        (i) => (i < POISON ? { poison: true } : { ms: 50 }),
        {
          maxAttempts: MAX_ATTEMPTS,
        },
      );
      const poisonIds = new Set(ids.slice(0, POISON));
      let crashes = 0;
      const respawned = new Set<Proc>();
      const deadline = Date.now() + (ctx.quick ? 45_000 : 120_000);
      await Promise.all(Array.from({ length: WORKERS }, () => fleet.start(spec())));
      for (;;) {
        const counts = await countByStatus(run.store);
        if (counts.scheduled + counts.running === 0 || Date.now() > deadline) break;
        for (const p of fleet.procs) {
          if (!p.gone || respawned.has(p)) continue;
          respawned.add(p);
          crashes++;
          await fleet.start(spec());
        }
        await sleep(200);
      }
      if (Date.now() > deadline) sink.note('jobs still scheduled/running at the deadline');
      await fleet.stopAll();
      const runs = byJob(await readLedger(run));
      const docs = await Promise.all(ids.map((id) => run.store.get(id)));
      const innocentFailed = docs.filter((d) => d && !poisonIds.has(d.id) && d.status !== 'completed');
      sink.info(label, 'worker crashes (respawns)', crashes);
      sink.add(
        label,
        'innocent jobs not completed',
        `${innocentFailed.length}${statusList(innocentFailed.map((d) => d?.status ?? 'missing'))}`,
        '= 0',
        innocentFailed.length === 0,
      );
      const innocentAttempts = docs.filter((d) => d && !poisonIds.has(d.id)).map((d) => d?.attempt ?? 0);
      sink.info(label, 'innocent attempts max', Math.max(0, ...innocentAttempts));
      for (const [n, id] of [...poisonIds].entries()) {
        const doc = docs.find((d) => d?.id === id);
        const ran = runs.get(id)?.length ?? 0;
        sink.add(
          label,
          `poison ${n + 1}: crashes (ledger) / status / attempt`,
          `${ran} / ${doc?.status ?? 'missing'} / ${doc?.attempt ?? '?'}`,
          `${MAX_ATTEMPTS} / failed`,
          ran === MAX_ATTEMPTS && doc?.status === 'failed',
        );
      }
      const fences = fenceCounts(fleet.events);
      sink.info(label, 'recoveries / errors', `${fences.recovered} / ${fences.errors}`);
      for (const line of errorSummary(fleet)) sink.note(line);
    } catch (error) {
      sink.add(label, 'run', String(error).slice(0, 120), 'completes', false);
    } finally {
      await fleet.killAll();
      await run.dispose();
    }
    return { scenario: 'poison', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
