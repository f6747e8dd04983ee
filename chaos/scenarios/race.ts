/**
 * Scenario 4, rescue vs completion: a claimed job whose lease lapses is
 * settled `completed` through one store handle while the reaper's recovery
 * runs through another, 1,000 times. A completion the store accepted must
 * never be reverted, and the two must never both win.
 */
import {
  type IDocumentDataProvider,
  JobManager,
  recoverFallback,
  type Settlement,
  silentLogger,
} from '@jobservice/core';
import { RowSink } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';
import { openHandles, openRun, type ProviderKind } from '../lib/stores.js';
import { randomInt, sleep } from '../lib/util.js';

const BATCH = 50;
const LEASE_MS = 30;

function recover(store: IDocumentDataProvider, limit: number): Promise<unknown[]> {
  return store.recover ? store.recover(limit) : recoverFallback(store, limit);
}

async function runOnce(sink: RowSink, provider: ProviderKind, races: number): Promise<void> {
  const run = await openRun(provider, 'race');
  const handles = await openHandles(run.location);
  const peer = handles.store;
  const manager = new JobManager({ store: run.store });
  let completedWon = 0;
  let recoveredWon = 0;
  let reverted = 0;
  let bothWon = 0;
  let recoverErrors = 0;
  let settleErrors = 0;
  let firstError = '';
  try {
    for (let done = 0; done < races; done += BATCH) {
      const n = Math.min(BATCH, races - done);
      await manager.enqueueMany(Array.from({ length: n }, () => ({ callback: 'chaos', metadata: {} })));
      const claimed = [];
      for (let tries = 0; claimed.length < n && tries < 20; tries++) {
        const jobs = await (run.store.claim as NonNullable<IDocumentDataProvider['claim']>)({
          names: ['chaos'],
          limit: n - claimed.length,
          workerId: 'racer',
          leaseMs: LEASE_MS,
        });
        claimed.push(...jobs);
      }
      // Every lease has lapsed (or is about to); each completion and each recovery starts at a random moment.
      await sleep(LEASE_MS + 2);
      const settles = claimed.map(async (job) => {
        await sleep(randomInt(0, 12));
        const settlement: Settlement = {
          id: job.id,
          leaseToken: job.leaseToken,
          outcome: 'completed',
          result: 'worker',
        };
        return (run.store.settle as NonNullable<IDocumentDataProvider['settle']>)([settlement]).then(
          (r) => r[0]?.ok === true,
          (error) => {
            settleErrors++;
            firstError ||= `settle: ${String(error)}`;
            return false;
          },
        );
      });
      const reaps = [0, 1, 2].map(async () => {
        await sleep(randomInt(0, 12));
        try {
          return (await recover(peer, n)) as { id: string }[];
        } catch (error) {
          recoverErrors++;
          firstError ||= `recover: ${String(error)}`;
          return [];
        }
      });
      const ok = await Promise.all(settles);
      const recoveredIds = new Set((await Promise.all(reaps)).flat().map((j) => j.id));
      for (const [i, job] of claimed.entries()) {
        const after = await run.store.get(job.id);
        if (ok[i]) {
          completedWon++;
          if (after?.status !== 'completed') reverted++;
          if (recoveredIds.has(job.id)) bothWon++;
        } else if (recoveredIds.has(job.id)) recoveredWon++;
      }
    }
    const label = provider;
    sink.info(label, 'races: completion won / recovery won', `${completedWon} / ${recoveredWon} of ${races}`);
    sink.add(label, 'accepted completions reverted', reverted, '= 0', reverted === 0);
    sink.add(label, 'both completion and recovery won', bothWon, '= 0', bothWon === 0);
    sink.add(label, 'recover calls that threw', recoverErrors, '= 0', recoverErrors === 0);
    sink.add(label, 'settle calls that threw', settleErrors, '= 0', settleErrors === 0);
    if (firstError) sink.note(`${provider}: first error: ${firstError.slice(0, 200)}`);
  } finally {
    await handles.close().catch(() => {});
    await run.dispose();
  }
}

/** Scenario 4: the reaper racing a completion never reverts it. */
export const race: Scenario = {
  id: 'race',
  title: 'rescue vs completion race',
  checks:
    'A job is claimed with a 30 ms lease; after it lapses one store handle settles it completed while three recoveries run through a second handle (another pool / another store instance on the folder), 1,000 times (each call starts at a random moment 0–12 ms after the lease lapsed). An accepted completion must never be reverted, completion and recovery must never both win, and neither call may throw. Both providers.',
  async run(ctx) {
    const sink = new RowSink('race');
    const started = Date.now();
    for (const provider of ctx.providers) await sink.guard(provider, () => runOnce(sink, provider, 1_000));
    return { scenario: 'race', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
