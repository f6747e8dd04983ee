/**
 * Scenario 3, zombie: a worker SIGSTOPped past its lease; another worker
 * completes the job; after SIGCONT the stopped worker's settle must be
 * rejected and the stored result must be the second worker's.
 */
import { Fleet, type WorkerEvent } from '../lib/fleet.js';
import { RowSink } from '../lib/report.js';
import { enqueueChaosJobs, type Scenario } from '../lib/scenario.js';
import { openRun, type ProviderKind } from '../lib/stores.js';
import { sleep, waitUntil } from '../lib/util.js';

const LEASE_MS = 2_000;

async function runOnce(sink: RowSink, provider: ProviderKind): Promise<void> {
  const run = await openRun(provider, 'zombie');
  const fleet = new Fleet();
  const label = provider;
  const base = { location: run.location, leaseMs: LEASE_MS, concurrency: 1, prefetch: 0, minMs: 0, maxMs: 0 };
  try {
    const zombie = await fleet.start({ ...base, name: 'zombie', ignoreSignal: true });
    const [id] = await enqueueChaosJobs(run, 1, () => ({ ms: 1_500 }));
    const find = (w: string, e: string) => fleet.events.find((x) => x.w === w && x.e === e && x.id === id);
    if (!(await waitUntil(() => find('zombie', 'started') !== undefined, 15_000))) {
      throw new Error('the zombie worker never started the job');
    }
    const first = find('zombie', 'started') as WorkerEvent;
    zombie.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await fleet.start({ ...base, name: 'rescuer' });
    const rescued = await waitUntil(() => find('rescuer', 'completed') !== undefined, 30_000);
    await sleep(Math.max(0, stoppedAt + LEASE_MS * 2 - Date.now()));
    const stoppedMs = Date.now() - stoppedAt;
    zombie.child.kill('SIGCONT');
    const zombieLost = await waitUntil(() => find('zombie', 'leaseLost') !== undefined, 10_000);
    zombie.child.send({ cmd: 'staleSettle', id, leaseToken: first.leaseToken });
    await waitUntil(() => find('zombie', 'staleSettle') !== undefined, 10_000);
    const stale = find('zombie', 'staleSettle');
    const doc = await run.store.get(id as string);
    const result = doc?.result as { worker?: string } | null | undefined;
    sink.info(label, 'stopped for (ms) / lease (ms)', `${stoppedMs} / ${LEASE_MS}`);
    sink.add(label, 'rescuer completed the job', rescued ? 'yes' : 'no', 'yes', rescued);
    const lost = find('zombie', 'leaseLost');
    sink.add(
      label,
      'zombie: leaseLost after SIGCONT',
      lost ? (lost.reason ?? '').slice(0, 60) : 'none',
      'leaseLost',
      zombieLost,
    );
    const zombieCompleted = find('zombie', 'completed') !== undefined;
    sink.add(label, 'zombie: completed event', zombieCompleted ? 'yes' : 'no', 'no', !zombieCompleted);
    sink.add(
      label,
      'stale settle with the old lease token',
      stale ? (stale.ok === false ? 'rejected' : `ok=${stale.ok} ${stale.reason ?? ''}`) : 'no answer',
      'rejected',
      stale?.ok === false,
    );
    sink.add(
      label,
      'stored status / result worker',
      `${doc?.status ?? 'missing'} / ${result?.worker ?? 'none'}`,
      'completed / rescuer',
      doc?.status === 'completed' && result?.worker === 'rescuer',
    );
  } finally {
    await fleet.killAll();
    await run.dispose();
  }
}

/** Scenario 3: a SIGSTOPped zombie worker cannot overwrite the rescuer's result. */
export const zombie: Scenario = {
  id: 'zombie',
  title: 'SIGSTOP zombie past its lease',
  checks:
    'A worker (lease 2 s) takes a job whose handler ignores its signal and is SIGSTOPped for 2 leases; a second worker recovers and completes it; after SIGCONT the zombie must report leaseLost, never completed, a settle with its old lease token must be rejected, and the stored result must be the rescuer’s. Both providers.',
  async run(ctx) {
    const sink = new RowSink('zombie');
    const started = Date.now();
    for (const provider of ctx.providers) await sink.guard(provider, () => runOnce(sink, provider));
    return { scenario: 'zombie', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
