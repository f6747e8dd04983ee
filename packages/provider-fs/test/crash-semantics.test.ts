import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import { job, newestLog } from './helpers/fixtures.js';
import { storeOpener, tempRootsPerTest } from './helpers/temp-root.js';

/** Commit lines in the newest index log generation (body lines start with `D`). */
function commitLines(root: string): number {
  return readFileSync(newestLog(root), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{"o":')).length;
}

describe('the fs store and the crash-semantics contract', () => {
  const { cleanups, newRoot } = tempRootsPerTest('store');
  const open = storeOpener(cleanups);

  it('reads documents written before reserved, history and trace existed', async () => {
    const root = newRoot();
    const first = await open(root);
    const { id } = await first.insert(job());
    await first.checkpoint();
    await first.close();
    const file = join(root, 'jobs', `${id}.json`);
    const { reserved: _r, history: _h, trace: _t, ...old } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(old));
    rmSync(join(root, 'index'), { recursive: true });
    const second = await open(root);
    expect(await second.get(id)).toMatchObject({ id, reserved: false, history: [], trace: null });
    const [claimed] = await second.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 1_000 });
    expect(claimed).toMatchObject({ id, attempt: 1, reserved: false, history: [] });
  });

  it('keeps reserved and history through the log, write-back and a rebuild', async () => {
    const root = newRoot();
    const clock = new FakeClock(1_000_000);
    const store = await open(root, { clock });
    await store.insertMany([job(), job()]);
    const claimed = await store.claim({ names: ['work'], limit: 2, start: 1, workerId: 'w', leaseMs: 1_000 });
    expect(claimed.map((d) => [d.attempt, d.reserved])).toEqual([
      [1, false],
      [0, true],
    ]);
    const [started, reserved] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];
    const error = { message: 'boom' };
    await store.settle([
      { id: started.id, leaseToken: started.leaseToken, outcome: 'retry', delayMs: 0, error },
    ]);
    await store.checkpoint();
    await store.close();
    rmSync(join(root, 'index'), { recursive: true });
    const again = await open(root, { clock });
    expect(await again.get(reserved.id)).toMatchObject({ reserved: true, attempt: 0, status: 'running' });
    expect((await again.get(started.id))?.history).toEqual([
      { attempt: 1, outcome: 'failed', startedAt: 1_000_000, workerId: 'w', error, at: 1_000_000 },
    ]);
  });

  it('recovers a batch of lapsed leases in one commit, leaving live leases alone', async () => {
    const root = newRoot();
    const clock = new FakeClock(1_000_000);
    const store = await open(root, { clock });
    await store.insertMany(Array.from({ length: 6 }, () => job()));
    const short = await store.claim({ names: ['work'], limit: 5, start: 3, workerId: 'w1', leaseMs: 1_000 });
    const long = await store.claim({ names: ['work'], limit: 1, workerId: 'w2', leaseMs: 60_000 });
    await clock.advance(5_000);
    const before = commitLines(root);
    const recovered = await store.recover(100);
    expect(commitLines(root) - before).toBe(1);
    expect(recovered.map((d) => d.id).sort()).toEqual(short.map((d) => d.id).sort());
    for (const doc of recovered) {
      const wasReserved = short.find((d) => d.id === doc.id)?.reserved;
      expect(doc).toMatchObject({ status: 'scheduled', leaseExpiresAt: null, reserved: false });
      expect(doc.recovering).toBe(!wasReserved);
      expect(doc.history).toHaveLength(wasReserved ? 0 : 1);
    }
    expect(await store.get(long[0]!.id)).toMatchObject({ status: 'running', workerId: 'w2' });
    expect(await store.recover(100)).toEqual([]);
    expect(commitLines(root) - before).toBe(1); // nothing lapsed: no commit at all
  });

  it('recovers at most limit jobs per call, the longest lapsed first', async () => {
    const root = newRoot();
    const clock = new FakeClock(1_000_000);
    const store = await open(root, { clock });
    await store.insertMany(Array.from({ length: 3 }, () => job()));
    const [a] = await store.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 3_000 });
    const [b] = await store.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 1_000 });
    const [c] = await store.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 2_000 });
    await clock.advance(10_000);
    expect((await store.recover(2)).map((d) => d.id)).toEqual([b!.id, c!.id]);
    expect((await store.recover(2)).map((d) => d.id)).toEqual([a!.id]);
  });

  it('starts a reserved job once, fenced by reserved', async () => {
    const root = newRoot();
    const clock = new FakeClock(1_000_000);
    const store = await open(root, { clock });
    await store.insert(job());
    const [doc] = await store.claim({ names: ['work'], limit: 1, start: 0, workerId: 'w', leaseMs: 1_000 });
    const start = { id: doc!.id, leaseToken: doc!.leaseToken, outcome: 'start', leaseMs: 5_000 } as const;
    await clock.advance(10);
    expect(await store.settle([start, start])).toEqual([
      { id: doc!.id, ok: true },
      { id: doc!.id, ok: false },
    ]);
    expect(await store.get(doc!.id)).toMatchObject({
      attempt: 1,
      reserved: false,
      startedAt: 1_000_010,
      leaseExpiresAt: 1_005_010,
    });
  });
});
