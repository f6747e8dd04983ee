import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider, FileSystemQueueProvider, STORE_FORMAT } from '../src/index.js';
import { job } from './helpers/fixtures.js';
import { tempRoot } from './helpers/temp-root.js';

describe('the store root', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dir = () => {
    const d = tempRoot();
    cleanups.push(() => d.remove());
    return d.path;
  };
  const open = async (root: string, extra = {}) => {
    const store = await FileSystemDocumentProvider.open({ root, logger: silentLogger, ...extra });
    cleanups.push(() => store.close());
    return store;
  };

  it('creates a missing root with a format file, and reopens it', async () => {
    const root = join(dir(), 'a', 'b', 'store');
    const store = await open(root);
    await store.insert(job());
    await store.close();
    const again = await open(root);
    expect((await again.query({})).items).toHaveLength(1);
  });

  it('lets several handles create one new root at once', async () => {
    const root = join(dir(), 'store');
    const stores = await Promise.all([open(root), open(root), open(root), open(root)]);
    await stores[0]!.insert(job());
    expect((await stores[3]!.query({})).items).toHaveLength(1);
  });

  it('refuses a missing root when create is false, saying how to fix it', async () => {
    const root = join(dir(), 'missing');
    await expect(open(root, { create: false })).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      message: expect.stringMatching(/^fs: root .*missing does not exist; create it or pass create: true/),
    });
  });

  it('refuses a root on a kernel file system (/proc, /sys) before creating anything', async () => {
    for (const root of ['/proc/jobservice-store', '/proc/self/jobservice', '/sys/fs/jobservice']) {
      await expect(open(root)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'options.root',
        message: expect.stringMatching(/kernel's (proc|sysfs) file system/),
      });
    }
  });

  it('refuses a root that is a file, or under a file', async () => {
    const base = dir();
    writeFileSync(join(base, 'file'), 'x');
    await expect(open(join(base, 'file'))).rejects.toThrow(/is a file, not a folder/);
    await expect(open(join(base, 'file', 'store'))).rejects.toThrow(/a part of the path is a file/);
  });

  it('refuses a non-empty folder that is not a store, and a queue root', async () => {
    const base = dir();
    mkdirSync(join(base, 'photos'));
    writeFileSync(join(base, 'photos', 'cat.jpg'), 'x');
    await expect(open(join(base, 'photos'))).rejects.toThrow(
      /is not empty and has no format\.json \(found cat\.jpg\)/,
    );
    const queue = await FileSystemQueueProvider.open({ root: join(base, 'bells') });
    await queue.close();
    await expect(open(join(base, 'bells'))).rejects.toThrow(
      /holds "jobservice-fs-queue", not a jobservice-fs-store/,
    );
  });

  it('refuses a root written by a newer format', async () => {
    const root = join(dir(), 'store');
    const store = await open(root);
    await store.close();
    writeFileSync(join(root, 'format.json'), JSON.stringify({ format: STORE_FORMAT, version: 3 }));
    await expect(open(root)).rejects.toThrow(
      /was written by jobservice-fs-store format version 3, newer than the version 2 this package reads; upgrade @jobservice\/provider-fs/,
    );
  });

  it('opens a root of format 1 and marks it 2, so that older code refuses it', async () => {
    const root = join(dir(), 'store');
    const store = await open(root);
    await store.insert(job());
    await store.checkpoint();
    await store.close();
    // Format 1 kept documents in jobs/ only; its index log is rebuilt from them.
    rmSync(join(root, 'index'), { recursive: true });
    writeFileSync(join(root, 'format.json'), JSON.stringify({ format: STORE_FORMAT, version: 1 }));
    const again = await open(root);
    expect((await again.query({})).items).toHaveLength(1);
    await again.close();
    expect(JSON.parse(readFileSync(join(root, 'format.json'), 'utf8'))).toEqual({
      format: STORE_FORMAT,
      version: 2,
    });
  });

  it('refuses a read-only root with a clear error, on open and on every call', async () => {
    const root = join(dir(), 'store');
    const store = await open(root);
    await store.close();
    const undo = makeReadOnly(root);
    cleanups.push(undo);
    const locked = new FileSystemDocumentProvider({ root, logger: silentLogger });
    cleanups.push(() => locked.close());
    const expected = {
      code: 'PROVIDER_FAILURE',
      message: expect.stringMatching(/^fs: cannot write to root .*store: /),
    };
    await expect(locked.ready()).rejects.toMatchObject(expected);
    await expect(locked.insert(job())).rejects.toMatchObject(expected);
  });

  it('validates its options at construction', () => {
    expect(() => new FileSystemDocumentProvider({ root: '' })).toThrow(
      expect.objectContaining({ field: 'options.root' }),
    );
    expect(() => new FileSystemDocumentProvider({ root: '/tmp/x', durability: 'fast' as never })).toThrow(
      expect.objectContaining({ field: 'options.durability' }),
    );
    expect(() => new FileSystemDocumentProvider({ root: '/tmp/x', lockTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ field: 'options.lockTimeoutMs' }),
    );
  });

  it('rejects calls after close with a SHUT_DOWN error', async () => {
    const store = await open(join(dir(), 'store'));
    await store.close();
    await store.close();
    await expect(store.insert(job())).rejects.toMatchObject({
      code: 'SHUT_DOWN',
      message: 'fs store is stopped',
    });
    await expect(
      store.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'SHUT_DOWN',
    });
  });

  it('rejects a transaction handle: it has none', async () => {
    const store = await open(join(dir(), 'store'));
    await expect(store.insert(job(), { transaction: {} })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'options.transaction',
    });
  });
});

/** Makes a folder tree unwritable even for root (immutable attribute), else by mode; returns the undo. */
function makeReadOnly(path: string): () => void {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chattr', ['-R', '+i', path]);
      return () => execFileSync('chattr', ['-R', '-i', path]);
    } catch {
      // no chattr here: fall through
    }
  }
  execFileSync('chmod', ['-R', 'a-w', path]);
  return () => execFileSync('chmod', ['-R', 'u+w', path]);
}
