/**
 * Scenario 7, PostgreSQL connection stalls: two workers reach the server
 * through a TCP proxy that holds all traffic for twice the lease, then
 * heals; a third worker connects directly and takes over lapsed leases.
 * The cut-off workers must self-fence before their leases lapse, no job may
 * run on two workers at once, and everything completes after healing.
 */
import { Fleet, type WorkerSpec } from '../lib/fleet.js';
import { byJob, readLedger } from '../lib/ledger.js';
import { RowSink } from '../lib/report.js';
import { enqueueChaosJobs, errorSummary, fenceCounts, type Scenario } from '../lib/scenario.js';
import { countByStatus, DATABASE_URL, openPostgresRun } from '../lib/stores.js';
import { StallProxy } from '../lib/tcp-proxy.js';
import { fmt, quantile, sleep, waitUntil } from '../lib/util.js';

const LEASE_MS = 3_000;
const CONCURRENCY = 2;
const CUT_OFF = 2;

/** Scenario 7: the network to PostgreSQL stalls past the lease, then heals. */
export const pgStall: Scenario = {
  id: 'pg-stall',
  title: 'PostgreSQL traffic stalled past the lease',
  checks: `${CUT_OFF} workers (concurrency ${CONCURRENCY}, lease 3 s, handlers 0.5–4 s) reach PostgreSQL through a node:net proxy that holds all traffic for 6 s and then delivers it; a third worker connects directly. Every handler running on a cut-off worker must stop (finish, or be aborted by the self-fence) before stall start + lease and before any other worker starts that job; extra runs ≤ cut-off workers × concurrency + the jobs that had finished on them but were not settled yet; everything completes after healing. The ledger connects directly.`,
  async run(ctx) {
    const sink = new RowSink('pg-stall');
    const started = Date.now();
    if (!ctx.providers.includes('postgres')) {
      sink.note('skipped: needs --provider=postgres');
      return { scenario: 'pg-stall', rows: sink.rows, notes: sink.notes, ms: 0 };
    }
    const url = new URL(DATABASE_URL);
    const proxy = new StallProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const run = await openPostgresRun('stall');
    const fleet = new Fleet();
    const label = 'postgres';
    const jobs = ctx.quick ? 40 : 120;
    try {
      await proxy.listen();
      const proxied = new URL(DATABASE_URL);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const spec = (name: string, via: string): WorkerSpec => ({
        name,
        location: { ...run.location, url: via },
        ledgerUrl: DATABASE_URL,
        leaseMs: LEASE_MS,
        concurrency: CONCURRENCY,
        minMs: 500,
        maxMs: 4_000,
      });
      await Promise.all(
        Array.from({ length: CUT_OFF }, (_, i) => fleet.start(spec(`cut${i + 1}`, proxied.href))),
      );
      await enqueueChaosJobs(run, jobs);
      await sleep(1_500);
      await fleet.start(spec('direct', DATABASE_URL));
      proxy.stall();
      const stallAt = Date.now();
      await sleep(LEASE_MS * 2);
      proxy.heal();
      const healedAt = Date.now();
      const done = await waitUntil(
        async () => (await countByStatus(run.store)).completed === jobs,
        90_000,
        250,
      );
      const afterHeal = Date.now() - healedAt;
      await fleet.stopAll();
      const counts = await countByStatus(run.store);
      const runs = byJob(await readLedger(run));
      const cutPids = new Set(fleet.procs.filter((p) => p.name.startsWith('cut')).map((p) => p.pid));
      // Jobs whose handler was running on a cut-off worker when the stall began (prefetched ones never ran).
      const running = new Set<string>();
      for (const e of fleet.events) {
        if (e.t >= stallAt || !cutPids.has(e.pid)) continue;
        if (e.e === 'started') running.add(`${e.id}:${e.pid}`);
        else if (['finished', 'aborted', 'leaseLost'].includes(e.e)) running.delete(`${e.id}:${e.pid}`);
      }
      // When each of those handlers stopped: it finished on its own, or its signal aborted (the fence).
      const aborts = fleet.events.filter(
        (e) => (e.e === 'aborted' || e.e === 'finished') && e.t >= stallAt && running.has(`${e.id}:${e.pid}`),
      );
      aborts.sort((a, b) => a.t - b.t);
      const firstFence = new Map<string, (typeof aborts)[number]>();
      for (const e of aborts) if (!firstFence.has(`${e.id}:${e.pid}`)) firstFence.set(`${e.id}:${e.pid}`, e);
      const fenceLead = [...firstFence.values()].map((e) => stallAt + LEASE_MS - e.t);
      const late = fenceLead.filter((ms) => ms <= 0).length;
      let overlaps = 0;
      let duplicates = 0;
      for (const [id, list] of runs) {
        duplicates += list.length - 1;
        for (const [i, row] of list.entries()) {
          const next = list[i + 1];
          if (!next || !cutPids.has(row.pid) || next.at < stallAt) continue;
          const abort = firstFence.get(`${id}:${row.pid}`);
          if (!abort || abort.t >= next.at) {
            overlaps++;
            sink.note(
              `overlap: job ${id} ran on pid ${row.pid} from ${row.at - stallAt} ms after stall start, ` +
                `fenced ${abort ? `${abort.t - stallAt} ms (${abort.e})` : 'never'}, re-run on pid ${next.pid} at ${next.at - stallAt} ms`,
            );
          }
        }
      }
      const fences = fenceCounts(fleet.events.filter((e) => cutPids.has(e.pid)));
      // Also in flight at the stall: handlers that had finished on a cut-off worker but whose settle
      // had not landed (held by the stall past the lease, so the job is recovered and runs again).
      const unsettled = new Set<string>();
      for (const e of fleet.events) {
        if (e.t >= stallAt || !cutPids.has(e.pid) || !e.id) continue;
        if (e.e === 'finished') unsettled.add(e.id);
        else if (['completed', 'failed', 'retrying', 'released', 'leaseLost'].includes(e.e))
          unsettled.delete(e.id);
      }
      const bound = CUT_OFF * CONCURRENCY + unsettled.size;
      sink.info(label, 'stall (ms) / lease (ms)', `${healedAt - stallAt} / ${LEASE_MS}`);
      sink.add(
        label,
        'handlers running at the stall: stopped (aborted + finished) / all',
        `${firstFence.size} (${[...firstFence.values()].filter((e) => e.e === 'aborted').length} + ${[...firstFence.values()].filter((e) => e.e === 'finished').length}) / ${running.size}`,
        'all, > 0',
        running.size > 0 && firstFence.size === running.size,
      );
      sink.add(label, 'handlers still running at stall start + lease', late, '= 0', late === 0);
      sink.info(
        label,
        'handler stop before stall + lease, min / p50 (ms)',
        `${fmt(quantile(fenceLead, 0))} / ${fmt(quantile(fenceLead, 0.5))}`,
      );
      sink.info(
        label,
        'cut-off workers: self-fences / rejections',
        `${fences.selfFenced} / ${fences.rejected}`,
      );
      sink.add(label, 'runs overlapping an unfenced run', overlaps, '= 0', overlaps === 0);
      sink.add(
        label,
        'duplicate runs',
        duplicates,
        `≤ ${bound} (cut-off slots + ${unsettled.size} finished, unsettled)`,
        duplicates <= bound,
      );
      sink.outcome(label, jobs, counts, done, afterHeal, 'healing');
      const startsAfterHeal = fleet.procs.map(
        (p) =>
          `${p.name} ${fleet.events.filter((e) => e.pid === p.pid && e.e === 'started' && e.t >= healedAt).length}`,
      );
      sink.info(label, 'handler starts per worker after healing', startsAfterHeal.join(', '));
      for (const line of errorSummary(fleet)) sink.note(line);
      if (!done) {
        sink.note(`still open after healing: ${JSON.stringify(counts)}`);
        const now = await run.store.now();
        const open = await run.store.query({ statuses: ['scheduled', 'running'], limit: 3 });
        for (const j of open.items) {
          sink.note(
            `open job ${j.id}: ${j.status}, attempt ${j.attempt}, due in ${j.runAt - now} ms, recovering ${j.recovering}, error ${j.error?.message ?? 'none'}`,
          );
        }
      }
    } catch (error) {
      sink.add(label, 'run', String(error).slice(0, 120), 'completes', false);
    } finally {
      proxy.heal();
      await fleet.killAll();
      await proxy.close();
      await run.dispose();
    }
    return { scenario: 'pg-stall', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
