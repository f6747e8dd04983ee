import { join } from 'node:path';
import { type JobChange, type Logger, ProviderError, ShutdownError } from '@jobservice/core';
import { entryOf, type LoggedRecord } from '../index/index-entry.js';
import { IndexLog } from '../index/index-log.js';
import { JobIndex } from '../index/job-index.js';
import type { LogCommit } from '../index/log-format.js';
import { repairGenerations } from '../index/log-generations.js';
import { DirectorySync, fsyncDirectory, unlinkQuietly, writeNewFile } from '../io/durable-io.js';
import { fail, prepareRoot } from '../io/root-folder.js';
import { DirectoryWatcher } from '../lock/directory-watcher.js';
import { FileLock } from '../lock/file-lock.js';
import { ownedName } from '../naming/owned-names.js';
import { isEarlierBoot } from '../process/process-identity.js';
import { ChangeFeed } from './change-feed.js';
import { DocumentFiles, isCorrupt, parseDocument, type ReadResult } from './document-files.js';
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
import { Upkeep } from './upkeep.js';

const PROVIDER = 'fs';

/**
 * The machinery under the file-system store: root folder, owner file, the
 * cross-process store lock, the index log (the redo log: a commit is one
 * append carrying its documents) and this process's index, reads that
 * follow it to the log or the written-back file, recovery, upkeep and the
 * change feed.
 */
export class StoreEngine {
  readonly index = new JobIndex();
  readonly docs: DocumentFiles;
  readonly keys: KeyFiles;
  readonly durable: boolean;
  readonly logger: Logger;
  /** The index log: the redo log every commit is appended to. */
  readonly log: IndexLog;
  private readonly lockWatcher: DirectoryWatcher;
  /** Group commit of `jobs/`'s folder fsync (write-backs). */
  readonly jobsSync: DirectorySync;
  private readonly keysSync: DirectorySync;
  private readonly feed: ChangeFeed;
  private readonly ownerFile: string;
  /** `pid.start.boot.ns.instance`: this store instance, as commits and the lock name it. */
  readonly ownerTag: string;
  private lock: FileLock | undefined;
  private upkeep: Upkeep | undefined;
  private closed = false;
  /** When this process last committed (`Date.now()`): write-backs wait for a quiet moment. */
  lastCommitAt = 0;
  private readonly applyCommit = (commit: LogCommit) => {
    for (const { record } of commit.records) {
      const change = this.index.apply(record);
      if (change && this.feed.active) this.feed.emit(change);
    }
    for (const [id, version] of commit.written ?? []) this.index.written(id, version);
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
    this.upkeep = new Upkeep(this, this.settings);
  }

  /**
   * A job's current document: from its body in the index log, or from
   * `jobs/<id>.json` once written back; `null` when the index has no such job.
   * Call after {@link refresh} (or under the lock) for an up-to-date answer.
   */
  readDoc(id: string): ReadResult {
    const entry = this.index.entries.get(id);
    if (!entry) return null;
    if (entry.at === undefined) return this.docs.read(id);
    const where = `${this.settings.root}/index (byte ${entry.at})`;
    const doc = parseDocument(this.log.readBody(entry.at, entry.len ?? 0), where);
    if (isCorrupt(doc) || doc.id !== id || doc.version !== entry.version) {
      throw new ProviderError(
        PROVIDER,
        `the index log at ${where} does not hold job ${id} v${entry.version}`,
      );
    }
    return doc;
  }

  /** Reads what other processes committed (no lock). */
  async refresh(): Promise<void> {
    this.assertOpen();
    if (this.log.catchUp(this.applyCommit, false) !== 'ok') await this.locked(() => undefined);
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
   * Commits writes (inside {@link locked}): one append to the index log
   * carrying every new document (the redo record), applied to this
   * process's index; then the files of removed jobs are unlinked and their
   * keys released. The commit counts once its line is whole; with full
   * durability the caller awaits {@link synced} before acknowledging.
   */
  commit(writes: readonly CommitWrite[]): void {
    if (writes.length === 0) return;
    const records: LoggedRecord[] = writes.map((w) =>
      w.doc
        ? { record: entryOf(w.doc), body: JSON.stringify(w.doc) }
        : { record: { id: w.id, removed: true, key: w.key ?? null } },
    );
    this.appendLocked({ owner: this.ownerTag, records });
    this.lastCommitAt = Date.now();
    for (const w of writes) {
      if (w.doc) continue;
      try {
        this.docs.remove(w.id);
        if (w.key) this.keys.release(w.key, w.id);
      } catch (error) {
        // The log says the job is gone, and reads follow the log: the file is only clutter.
        this.logger.warn(`fs: could not remove the file of deleted job ${w.id}`, { error });
      }
    }
  }

  /** Appends a commit under the lock and applies it to this process's index. */
  appendLocked(commit: LogCommit): void {
    this.log.append(commit);
    this.applyCommit(commit);
  }

  /** With full durability, waits until the commits made so far (and key files) are on disk. */
  async synced(keys = false): Promise<void> {
    if (!this.durable) return;
    await Promise.all([this.log.sync(), keys ? this.keysSync.sync() : undefined]);
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
    await this.upkeep?.stop();
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

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
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
    let result = this.log.catchUp(this.applyCommit, true);
    if (result === 'reload') {
      this.index.clear();
      if (!this.log.openNewest()) return this.rebuild('the index log vanished');
      result = this.log.catchUp(this.applyCommit, true);
    }
    if (result !== 'ok') await this.rebuild('the index log has a damaged line');
  }

  private rebuild(reason: string): Promise<void> {
    return rebuildIndex(this.parts(), reason);
  }

  /** Runs holding the lock just taken from a dead holder: finish its commit. */
  private async takeOver(deadOwner: string): Promise<void> {
    repairGenerations(join(this.settings.root, 'index'));
    if (!this.log.isOpen && !this.log.openNewest()) return;
    await this.catchUpLocked();
    finishDeadCommit(this.parts(), deadOwner);
  }

  private async compactIfLarge(): Promise<void> {
    // A snapshot holds ~200 bytes per job plus the bodies not yet written back: compact
    // once the log is twice that, so the copying costs a bounded share of the appends.
    const snapshot = this.index.entries.size * 200 + this.index.bytesInLog;
    const threshold = Math.max(this.settings.compactBytes, this.index.entries.size * 400, 2 * snapshot);
    if (this.log.bytes <= threshold) return;
    try {
      await this.log.writeGeneration(this.index.entries.values(), this.durable);
    } catch (error) {
      this.logger.error(`fs: compacting the index log of ${this.settings.root} failed`, { error });
    }
  }
}
