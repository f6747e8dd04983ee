import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider } from '../src/index.js';
import { type Child, killChild, startChild } from './helpers/child.js';
import { sleep, untilStopped } from './helpers/proc.js';
import { tempRoot } from './helpers/temp-root.js';

const counterJob = (id: string) => ({
  id,
  name: 'counter',
  metadata: { count: 0 },
  priority: 0,
  maxAttempts: 1,
  backoff: { type: 'fixed' as const, delayMs: 0 },
  timeoutMs: null,
  key: null,
});

describe('compare-and-set and idempotency keys across processes', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const dir = tempRoot();
    const root = join(dir.path, 'store');
    const store = await FileSystemDocumentProvider.open({
      root,
      durability: 'relaxed',
      logger: silentLogger,
    });
    cleanups.push(async () => {
      await store.close();
      dir.remove();
    });
    const id = '01900000-0000-7000-8000-00000000c0de';
    await store.insert(counterJob(id));
    return { root, store, id };
  }

  function child(args: string[]): Child {
    const c = startChild('cas-counter.ts', args);
    cleanups.push(() => killChild(c));
    return c;
  }

  it('two processes doing 2,000 increments each end at exactly 4,000', async () => {
    const { root, store, id } = await setup();
    const a = child([root, id, '2000']);
    const b = child([root, id, '2000']);
    // Meanwhile this process reads the document: always whole, never going back.
    let running = true;
    let reads = 0;
    const reader = (async () => {
      let last = 0;
      while (running) {
        const doc = await store.get(id);
        expect(doc).not.toBeNull();
        const count = (doc!.metadata as { count: number }).count;
        expect(count).toBeGreaterThanOrEqual(last);
        last = count;
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const results = await Promise.all(
      [a, b].map(async (c) => {
        const exit = await c.exited;
        expect(exit.code, c.stderr()).toBe(0);
        return JSON.parse(c.stdout().trim().split('\n').pop() as string) as { done: number };
      }),
    );
    running = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(results.map((r) => r.done)).toEqual([2000, 2000]);
    const doc = await store.get(id);
    expect(doc?.metadata).toEqual({ count: 4000 });
    expect(doc?.version).toBe(4001);
  }, 120_000);

  it('two processes racing on 300 idempotency keys create exactly one job per key', async () => {
    const { root, store } = await setup();
    const go = join(root, '..', 'go');
    const racers = [0, 1].map(() => {
      const c = startChild('key-racer.ts', [root, '300', go]);
      cleanups.push(() => killChild(c));
      return c;
    });
    await Promise.all(racers.map((c) => c.line(/^ready$/)));
    writeFileSync(go, '');
    const maps = await Promise.all(
      racers.map(async (c) => {
        const exit = await c.exited;
        expect(exit.code, c.stderr()).toBe(0);
        return JSON.parse(c.stdout().trim().split('\n').pop() as string) as Record<
          string,
          { id: string; created: boolean }
        >;
      }),
    );
    let created = 0;
    for (let i = 0; i < 300; i++) {
      const key = `key-${i}`;
      const [first, second] = maps.map((m) => m[key]!);
      expect(first!.id).toBe(second!.id);
      expect(Number(first!.created) + Number(second!.created)).toBe(1);
      created += Number(first!.created) + Number(second!.created);
      expect((await store.query({ key })).items.map((j) => j.id)).toEqual([first!.id]);
    }
    expect(created).toBe(300);
    expect((await store.query({ names: ['keyed'], limit: 1_000 })).items).toHaveLength(300);
  }, 120_000);

  it('a stopped lock holder keeps its lock, and resumes without overwriting newer data', async () => {
    const { root, store, id } = await setup();
    const holder = child([root, id, 'forever']);
    await holder.line(/^ready$/);
    const pid = holder.process.pid as number;
    const lockFile = join(root, 'locks', 'store.lock');
    let mine = 0;
    const increment = async () => {
      for (;;) {
        const doc = (await store.get(id))!;
        const count = (doc.metadata as { count: number }).count;
        if (await store.update(id, doc.version, { metadata: { count: count + 1 } })) {
          mine++;
          return;
        }
      }
    };

    // Stop the child at random moments while this process writes too: a write it
    // prepared before the stop must not land over the versions written meanwhile.
    for (let round = 0; round < 8; round++) {
      await sleep(5 + Math.random() * 20);
      holder.process.kill('SIGSTOP');
      await untilStopped(pid);
      const holdsLock = readLock(lockFile)?.startsWith(`${pid}.`) ?? false;
      if (!holdsLock) for (let i = 0; i < 5; i++) await increment();
      holder.process.kill('SIGCONT');
    }

    // Now stop it while it holds the lock: nobody may take the lock over by age.
    let stoppedHolding = false;
    for (let attempt = 0; attempt < 500 && !stoppedHolding; attempt++) {
      holder.process.kill('SIGSTOP');
      await untilStopped(pid);
      stoppedHolding = readLock(lockFile)?.startsWith(`${pid}.`) ?? false;
      if (!stoppedHolding) {
        holder.process.kill('SIGCONT');
        await sleep(Math.random() * 3);
      }
    }
    expect(stoppedHolding).toBe(true);
    const before = await store.get(id);
    let finished = false;
    const blocked = increment().then(() => {
      finished = true;
    });
    await sleep(1_500);
    expect(finished).toBe(false);
    expect(readLock(lockFile)?.startsWith(`${pid}.`)).toBe(true);
    expect((await store.get(id))?.version).toBe(before?.version);
    // Let it finish the write it holds the lock for, and stop (it would outpace us otherwise).
    holder.process.kill('SIGTERM');
    holder.process.kill('SIGCONT');
    await blocked;
    expect(finished).toBe(true);

    const exit = await holder.exited;
    expect(exit.code, holder.stderr()).toBe(0);
    const theirs = JSON.parse(holder.stdout().trim().split('\n').pop() as string) as { done: number };
    expect(theirs.done).toBeGreaterThan(0);
    const doc = await store.get(id);
    expect(doc?.metadata).toEqual({ count: theirs.done + mine });
    expect(doc?.version).toBe(1 + theirs.done + mine);
  }, 120_000);
});

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
