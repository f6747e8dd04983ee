/**
 * A producer-side rig for multi-process tests: a temp fs store and fs queue
 * opened in this process, two worker child processes (`fixture`, started
 * with `<storeRoot> <queueRoot> <ledgerFile> ...args`) that have printed `ready`,
 * and the ledger the workers append to. Everything is closed, killed and
 * removed by the cleanups it registers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '../../src/index.js';
import { type Child, killChild, startChild } from './child.js';
import { tempRoot } from './temp-root.js';

/** What {@link openWorkerRig} opened. */
export interface WorkerRig {
  store: FileSystemDocumentProvider;
  queue: FileSystemQueueProvider;
  workers: Child[];
  /** The ledger's lines so far (none before the first write). */
  lines(): string[];
}

/** How {@link openWorkerRig} starts its workers. */
export interface WorkerRigOptions {
  /** Passed to each worker after the ledger path. @default [] */
  args?: string[];
}

/** Opens the rig; `cleanups` runs in reverse order after the test. */
export async function openWorkerRig(
  fixture: string,
  cleanups: Array<() => Promise<void> | void>,
  options: WorkerRigOptions = {},
): Promise<WorkerRig> {
  const dir = tempRoot();
  const storeRoot = join(dir.path, 'store');
  const queueRoot = join(dir.path, 'bells');
  const ledger = join(dir.path, 'ledger.txt');
  const store = await FileSystemDocumentProvider.open({
    root: storeRoot,
    durability: 'relaxed',
    logger: silentLogger,
  });
  const queue = await FileSystemQueueProvider.open({ root: queueRoot, logger: silentLogger });
  cleanups.push(async () => {
    await queue.close();
    await store.close();
    dir.remove();
  });
  const workers = [0, 1].map(() =>
    startChild(fixture, [storeRoot, queueRoot, ledger, ...(options.args ?? [])]),
  );
  for (const w of workers) cleanups.push(() => killChild(w));
  await Promise.all(workers.map((w) => w.line(/^ready$/)));
  const lines = () => (existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n') : []);
  return { store, queue, workers, lines };
}
