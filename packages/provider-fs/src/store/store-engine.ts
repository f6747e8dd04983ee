import { join } from 'node:path';
import { type JobChange, type JobDocument, type Logger, ShutdownError } from '@jobservice/core';
import { entryOf, type LoggedRecord } from '../index/index-entry.js';
import { IndexLog } from '../index/index-log.js';
import { JobIndex } from '../index/job-index.js';
import { DirectorySync, fsyncDirectory, unlinkQuietly, writeNewFile } from '../io/durable-io.js';
import { fail, prepareRoot } from '../io/root-folder.js';
import { DirectoryWatcher } from '../lock/directory-watcher.js';
import { FileLock } from '../lock/file-lock.js';
import { ownedName } from '../naming/owned-names.js';
import { isEarlierBoot } from '../process/process-identity.js';
import { ChangeFeed } from './change-feed.js';
import { type CorruptDocument, DocumentFiles } from './document-files.js';
import { type CommitWrite, type EngineSettings, STORE_FORMAT, STORE_FORMAT_VERSION } from './engine-types.js';
import { KeyFiles } from './key-files.js';
import {
  deadOwners,
  FRESH_ROOT,
  finishDeadCommit,
  ownedFolders,
  type RecoveryParts,
  rebuildIndex,
  sweepDeadFiles,
} from './recovery.js';

const PROVIDER = 'fs';

/**
 * The machinery under the file-system store: root folder, owner file, the
 * cross-process store lock, the index log and this process's index, commits
 * (log line first, then renames), recovery, sweeping and the change feed.
 */
export class StoreEngine {
  readonly index = new JobIndex();
  readonly docs: DocumentFiles;
  readonly keys: KeyFiles;
  readonly durable: boolean;
  readonly logger: Logger;
  private readonly log: IndexLog;
  private readonly lockWatcher: DirectoryWatcher;
  private readonly jobsSync: DirectorySync;
  private readonly keysSync: DirectorySync;
  private readonly feed: ChangeFeed;
  private readonly ownerFile: string;
  private readonly ownerTag: string;
  private lock: FileLock | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly applyRecords = (records: LoggedRecord[]) => {
    for (const { record } of records) {
      const change = this.index.apply(record);
      if (change && this.feed.active) this.feed.emit(change);
    }
  };

  constructor(private readonly settings: EngineSettings) {
    const { root } = settings;
    this.durable = settings.durability === 'full';
    this.logger = settings.logger;
    this.docs = new DocumentFiles(join(root, 'jobs'), join(root, 'corrupt'), this.durable);
    this.keys = new KeyFiles(join(root, 'keys'), PROVIDER);
    this.log = new IndexLog(join(root, 'index'));
    this.lockWatcher = new DirectoryWatcher(join(root, 'locks'));
    this.jobsSync = new DirectorySync(join(root, 'jobs'));
    this.keysSync = new DirectorySync(join(root, 'keys'));
    this.feed = new ChangeFeed(join(root, 'index'), () => void this.refresh().catch(() => undefined), 1_000);
    const name = ownedName('owner');
    this.ownerFile = join(root, 'locks', name);
    this.ownerTag = name.slice(1, -'.owner'.length);
  }

  /** Prepares the root, registers this process, loads (or rebuilds) the index and sweeps. */
  async open(): Promise<void> {
    try {
      await this.openOnce();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async openOnce(): Promise<void> {
    const { root } = this.settings;
    await prepareRoot({
      provider: PROVIDER,
      root,
      format: STORE_FORMAT,
      version: STORE_FORMAT_VERSION,
      folders: ['jobs', 'keys', 'index', 'locks', 'corrupt'],
      create: this.settings.create,
      durable: this.durable,
    });
    try {
      await writeNewFile(this.ownerFile, this.ownerTag, this.durable);
      if (this.durable) await fsyncDirectory(join(root, 'locks'));
    } catch (error) {
      throw fail(PROVIDER, `cannot write to root ${root}`, error);
    }
    this.lock = new FileLock({
      provider: PROVIDER,
      dir: join(root, 'locks'),
      name: 'store.lock',
      ownerFile: this.ownerFile,
      ownerTag: this.ownerTag,
      timeoutMs: this.settings.lockTimeoutMs,
      watcher: this.lockWatcher,
      onTakeover: (dead) => this.takeOver(dead),
    });
    await this.lock.acquire();
    try {
      const dead = deadOwners(join(this.settings.root, 'locks'));
      if (!this.log.isOpen && !this.log.openNewest()) await this.rebuild(FRESH_ROOT);
      await this.catchUpLocked();
      if (dead.some(isEarlierBoot)) await this.rebuild('the machine restarted while the store was open');
      // Only a store process (which registers an owner file first) leaves temp files:
      // with no dead owner registered there is nothing to sweep.
      if (dead.length > 0) sweepDeadFiles(ownedFolders(root));
    } finally {
      this.lock.release();
    }
    this.sweepTimer = setInterval(() => void this.sweepIfSomeoneDied(), this.settings.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Reads what other processes committed (no lock). */
  async refresh(): Promise<void> {
    this.assertOpen();
    if (this.log.catchUp(this.applyRecords, false) !== 'ok') await this.locked(() => undefined);
  }

  /**
   * Runs `fn` holding the store lock, after catching up with the log; then
   * compacts the log when it grew large. Rejects once the store is closed.
   */
  async locked<T>(fn: () => T | Promise<T>): Promise<T> {
    this.assertOpen();
    // Every write passes through the event loop once: without a disk wait (relaxed
    // durability) a loop of writes would otherwise run on microtasks alone and
    // starve timers, signals and I/O callbacks.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.assertOpen();
    const lock = this.lock as FileLock;
    await lock.acquire();
    try {
      this.assertOpen();
      await this.catchUpLocked();
      const result = await fn();
      await this.compactIfLarge();
      return result;
    } finally {
      lock.release();
    }
  }

  /**
   * Commits writes (inside {@link locked}): one index line (intent), applied
   * to this process's index, then each rename or removal. A process that
   * dies halfway leaves the line for the next lock holder to finish.
   */
  commit(writes: readonly CommitWrite[]): void {
    if (writes.length === 0) return;
    const records: LoggedRecord[] = writes.map((w) =>
      w.doc
        ? { record: entryOf(w.doc), temp: w.temp }
        : { record: { id: w.id, removed: true, key: w.key ?? null } },
    );
    this.log.append(this.ownerTag, records);
    this.applyRecords(records);
    let failure: unknown;
    for (const w of writes) {
      try {
        if (w.doc) this.docs.install(w.temp as string, w.id);
        else {
          this.docs.remove(w.id);
          if (w.key) this.keys.release(w.key, w.id);
        }
      } catch (error) {
        // The line says this write happened; say what the file really holds.
        failure ??= error;
        this.correct(w.id, this.docs.readQuietly(w.id));
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** With full durability, waits until the renames (and key files) of a commit are on disk. */
  async synced(keys = false): Promise<void> {
    if (!this.durable) return;
    await Promise.all([this.jobsSync.sync(), keys ? this.keysSync.sync() : undefined]);
  }

  /** Moves a corrupt document to `corrupt/`, logs it naming the file, and drops it from the index. */
  async quarantine(corrupt: CorruptDocument, id: string): Promise<void> {
    await this.locked(() => this.quarantineLocked(corrupt, id));
  }

  /** {@link quarantine} for a caller that holds the lock. */
  quarantineLocked(corrupt: CorruptDocument, id: string): void {
    const current = this.docs.read(id);
    if (current === null || !('corrupt' in current)) return; // replaced or gone meanwhile
    const moved = this.docs.quarantine(corrupt.path);
    this.logger.error(`fs: corrupt job document ${corrupt.path} (${corrupt.reason}); moved to ${moved}`);
    const key = this.index.entries.get(id)?.key ?? null;
    if (this.index.entries.has(id)) {
      const records: LoggedRecord[] = [{ record: { id, removed: true, key } }];
      this.log.append(this.ownerTag, records);
      this.applyRecords(records);
      if (key !== null) this.keys.release(key, id);
    }
  }

  /** Re-logs a job whose index entry disagrees with its file (inside {@link locked}). */
  correct(id: string, doc: JobDocument | null): void {
    const entry = this.index.entries.get(id);
    const records: LoggedRecord[] = doc
      ? [{ record: entryOf(doc) }]
      : [{ record: { id, removed: true, key: entry?.key ?? null } }];
    this.log.append(this.ownerTag, records);
    this.applyRecords(records);
  }

  /** Listens to status changes and cancel requests from every process. */
  watch(listener: (change: JobChange) => void): () => void {
    this.assertOpen();
    return this.feed.add(listener);
  }

  /** Stops timers and watches, waits for queued lock users, and unregisters. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.feed.close();
    await this.lock?.whenIdle();
    try {
      if (this.durable) await this.log.sync();
    } catch {
      // closing anyway
    }
    this.log.close();
    this.lockWatcher.close();
    unlinkQuietly(this.ownerFile);
  }

  /** Throws once closed. */
  assertOpen(): void {
    if (this.closed) throw new ShutdownError('fs store');
  }

  private parts(): RecoveryParts {
    return {
      root: this.settings.root,
      index: this.index,
      log: this.log,
      docs: this.docs,
      keys: this.keys,
      logger: this.logger,
      durable: this.durable,
    };
  }

  private async catchUpLocked(): Promise<void> {
    let result = this.log.catchUp(this.applyRecords, true);
    if (result === 'reload') {
      this.index.clear();
      if (!this.log.openNewest()) return this.rebuild('the index log vanished');
      result = this.log.catchUp(this.applyRecords, true);
    }
    if (result !== 'ok') await this.rebuild('the index log has a damaged line');
  }

  private rebuild(reason: string): Promise<void> {
    return rebuildIndex(this.parts(), reason);
  }

  /** Runs holding the lock just taken from a dead holder: finish its commit. */
  private async takeOver(deadOwner: string): Promise<void> {
    this.log.repairGenerations();
    if (!this.log.isOpen && !this.log.openNewest()) return;
    await this.catchUpLocked();
    finishDeadCommit(this.parts(), deadOwner);
  }

  private async compactIfLarge(): Promise<void> {
    const threshold = Math.max(this.settings.compactBytes, this.index.entries.size * 400);
    if (this.log.bytes <= threshold) return;
    try {
      await this.log.writeGeneration(this.index.entries.values(), this.durable);
    } catch (error) {
      this.logger.error(`fs: compacting the index log of ${this.settings.root} failed`, { error });
    }
  }

  private async sweepIfSomeoneDied(): Promise<void> {
    try {
      if (this.closed || deadOwners(join(this.settings.root, 'locks')).length === 0) return;
      await this.locked(() => sweepDeadFiles(ownedFolders(this.settings.root)));
    } catch (error) {
      if (!this.closed) this.logger.warn('fs: sweeping files of dead processes failed', { error });
    }
  }
}
