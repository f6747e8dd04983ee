/**
 * Scenario 5, graceful SIGTERM on examples/worker-host with the durable fs
 * store: 100 jobs of 0–10 s in flight, then SIGTERM. No claims after the
 * signal, exit 0 within grace + 2 s, nothing left running, nothing lost.
 */
import { join } from 'node:path';
import { JobManager } from '@jobservice/core';
import { REPO_ROOT, spawnTsx } from '../lib/fleet.js';
import { RowSink } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';
import { countByStatus, openFsRun } from '../lib/stores.js';
import { fmt, randomInt, waitUntil } from '../lib/util.js';

const GRACE_MS = 3_000;
const JOBS = 100;
const LATE = 20;
const HOST_DIR = join(REPO_ROOT, 'examples', 'worker-host');

function startHost(storeRoot: string) {
  return spawnTsx(
    'worker-host',
    'src/main.ts',
    {
      STORE: 'fs',
      STORE_ROOT: storeRoot,
      DEMO_RATE: '0',
      CONCURRENCY: String(JOBS),
      GRACE_MS: String(GRACE_MS),
    },
    HOST_DIR,
  );
}

/** Scenario 5: SIGTERM on the example worker host. */
export const sigterm: Scenario = {
  id: 'sigterm',
  title: 'graceful SIGTERM on examples/worker-host',
  checks: `examples/worker-host (STORE=fs, CONCURRENCY=${JOBS}, GRACE_MS=${GRACE_MS}) runs ${JOBS} jobs of 0–10 s; once they are all claimed it gets SIGTERM, and once it says it is stopping ${LATE} more jobs are enqueued. It must exit 0 within grace + 2 s, claim nothing after the signal (the late jobs keep leaseToken 0), leave no job running, and release unfinished jobs without counting the attempt; a second host then completes every job (nothing lost).`,
  async run(ctx) {
    const sink = new RowSink('sigterm');
    const started = Date.now();
    if (!ctx.providers.includes('fs')) {
      sink.note('skipped: needs --provider=fs (worker-host has an fs store option, no PostgreSQL one)');
      return { scenario: 'sigterm', rows: sink.rows, notes: sink.notes, ms: 0 };
    }
    const run = await openFsRun('sigterm');
    const label = 'fs';
    const hosts: ReturnType<typeof startHost>[] = [];
    try {
      const manager = new JobManager({ store: run.store });
      const items = Array.from({ length: JOBS }, (_, i) => ({
        callback: 'resize-image',
        metadata: { image: `photo-${i}.jpg`, ms: randomInt(0, 10_000) },
      }));
      const ids = (await manager.enqueueMany(items)).map((r) => r.id);
      const host = startHost(run.location.storeRoot as string);
      hosts.push(host);
      const ready = await waitUntil(
        () => host.output.join('').includes('worker ready') || host.gone,
        60_000,
        50,
      );
      if (!ready || host.gone)
        throw new Error(`worker-host did not start: ${host.output.join('').slice(-500)}`);
      await waitUntil(async () => (await countByStatus(run.store)).scheduled === 0, 20_000, 100);
      const before = await countByStatus(run.store);
      host.child.kill('SIGTERM');
      const signalAt = Date.now();
      // The late jobs go in once the host says it is stopping (the signal has reached its handler):
      // before that, a job finishing may still make the running dispatcher claim.
      await waitUntil(() => host.output.join('').includes('SIGTERM: stopping') || host.gone, 10_000, 5);
      const late = (
        await manager.enqueueMany(
          Array.from({ length: LATE }, () => ({
            callback: 'resize-image',
            metadata: { image: 'late.jpg', ms: 0 },
          })),
        )
      ).map((r) => r.id);
      const exitedInTime = await waitUntil(() => host.gone, GRACE_MS + 10_000, 20);
      const exitMs = Date.now() - signalAt;
      const code = host.child.exitCode;
      const docs = await Promise.all([...ids, ...late].map((id) => run.store.get(id)));
      const running = docs.filter((d) => d?.status === 'running').length;
      const lateClaimed = docs.slice(JOBS).filter((d) => d?.leaseToken !== 0).length;
      const reclaimed = docs.slice(0, JOBS).filter((d) => !d || d.leaseToken > 1).length;
      const released = docs.slice(0, JOBS).filter((d) => d?.status === 'scheduled');
      const counted = released.filter((d) => (d?.attempt ?? 0) !== 0).length;
      sink.info(label, 'at the signal: running / completed', `${before.running} / ${before.completed}`);
      sink.add(label, 'exit code', String(code), '0', code === 0);
      sink.add(
        label,
        'exit after SIGTERM (ms)',
        exitedInTime ? fmt(exitMs) : `> ${fmt(exitMs)}`,
        `≤ ${fmt(GRACE_MS + 2_000)}`,
        exitedInTime && exitMs <= GRACE_MS + 2_000,
      );
      sink.add(
        label,
        'claims after the signal (late jobs leased / jobs leased twice)',
        `${lateClaimed} / ${reclaimed}`,
        '0 / 0',
        lateClaimed + reclaimed === 0,
      );
      sink.add(label, 'jobs left running', running, '= 0', running === 0);
      sink.add(
        label,
        'released jobs with an attempt counted',
        `${counted} of ${released.length}`,
        '= 0',
        counted === 0,
      );
      const second = startHost(run.location.storeRoot as string);
      hosts.push(second);
      const all = JOBS + LATE;
      const drained = await waitUntil(
        async () => (await countByStatus(run.store)).completed === all,
        40_000,
        200,
      );
      const after = await countByStatus(run.store);
      sink.add(label, 'lost: not completed by a second host', all - after.completed, '= 0', drained);
      if (!host.output.join('').includes('stopped cleanly'))
        sink.note(`first host output: ${host.output.join('').slice(-400)}`);
    } catch (error) {
      sink.add(label, 'run', String(error).slice(0, 120), 'completes', false);
    } finally {
      for (const h of hosts) if (!h.gone) h.child.kill('SIGKILL');
      await Promise.all(hosts.map((h) => h.exited));
      await run.dispose();
    }
    return { scenario: 'sigterm', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
