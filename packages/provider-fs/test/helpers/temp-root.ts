import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { afterEach } from 'vitest';
import { FileSystemDocumentProvider, type FileSystemDocumentProviderOptions } from '../../src/index.js';

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export function tempRoot(prefix = 'jobservice-fs-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * For one `describe`: everything registered in `cleanups` is undone after
 * each test (last first), and `newRoot()` hands out a fresh `<temp>/<leaf>`
 * path whose temp folder is removed the same way.
 */
export function tempRootsPerTest(leaf: string): {
  cleanups: Array<() => Promise<void> | void>;
  newRoot(): string;
} {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    newRoot: () => {
      const d = tempRoot();
      cleanups.push(() => d.remove());
      return join(d.path, leaf);
    },
  };
}

/**
 * Opens fs stores (relaxed durability, silent logger unless overridden) and
 * registers each one's `close()` in `cleanups`.
 */
export function storeOpener(cleanups: Array<() => Promise<void> | void>) {
  return async (root: string, extra: Partial<FileSystemDocumentProviderOptions> = {}) => {
    const store = await FileSystemDocumentProvider.open({
      root,
      durability: 'relaxed',
      logger: silentLogger,
      ...extra,
    });
    cleanups.push(() => store.close());
    return store;
  };
}
