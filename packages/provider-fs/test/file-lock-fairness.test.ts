import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryWatcher } from '../src/lock/directory-watcher.js';
import { FileLock } from '../src/lock/file-lock.js';
import { LockTickets } from '../src/lock/lock-tickets.js';
import { identityTag, selfIdentity } from '../src/process/process-identity.js';
import { tempRootsPerTest } from './helpers/temp-root.js';

let instance = 100;

/** A lock instance as a separate store instance (or process) would hold it, on `dir`. */
function lockOn(dir: string, cleanups: Array<() => void>) {
  const tag = `${identityTag(selfIdentity())}.${instance++}`;
  const ownerFile = join(dir, `~${tag}.owner`);
  writeFileSync(ownerFile, tag);
  const watcher = new DirectoryWatcher(dir);
  cleanups.push(() => watcher.close());
  const lock = new FileLock({
    provider: 'fs',
    dir,
    name: 'store.lock',
    ownerFile,
    ownerTag: tag,
    timeoutMs: 10_000,
    watcher,
  });
  return { lock, ownerFile };
}

describe('the store lock across instances', () => {
  const { cleanups, newRoot } = tempRootsPerTest('locks');

  it('serves a waiting instance before callers that queued in the holder after it', async () => {
    const dir = newRoot();
    mkdirSync(dir, { recursive: true });
    const a = lockOn(dir, cleanups).lock;
    const b = lockOn(dir, cleanups).lock;
    const order: string[] = [];
    await a.acquire();
    const bTurn = b.acquire().then(() => order.push('b'));
    // b is in line (its ticket is in the folder) before a's next callers arrive.
    for (let i = 0; i < 100 && !readdirSync(dir).some((n) => n.endsWith('.wait')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const aTurns = [1, 2].map((i) => a.acquire().then(() => order.push(`a${i}`)));
    a.release();
    await bTurn;
    b.release();
    await aTurns[0];
    a.release();
    await aTurns[1];
    a.release();
    expect(order).toEqual(['b', 'a1', 'a2']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.wait'))).toEqual([]);
  });

  it('still hands the lock to its own queued callers while nobody else waits', async () => {
    const dir = newRoot();
    mkdirSync(dir, { recursive: true });
    const a = lockOn(dir, cleanups).lock;
    await a.acquire();
    const next = a.acquire();
    a.release();
    await next;
    expect(readdirSync(dir)).toContain('store.lock');
    a.release();
    expect(readdirSync(dir)).not.toContain('store.lock');
  });

  it('takes a stopped waiter that does not take its turn out of the line', async () => {
    const dir = newRoot();
    mkdirSync(dir, { recursive: true });
    const a = lockOn(dir, cleanups).lock;
    const b = lockOn(dir, cleanups).lock;
    // A live instance (this process) that joined the line and then stopped acting on it.
    const stopped = new LockTickets(dir, 'store.lock', lockOn(dir, cleanups).ownerFile);
    const ticket = stopped.take();
    await a.acquire();
    const started = Date.now();
    const bTurn = b.acquire();
    a.release();
    await bTurn;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readdirSync(dir)).not.toContain(ticket);
    b.release();
  });
});
