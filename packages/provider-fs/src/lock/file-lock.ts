import { linkSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '@jobservice/core';
import { errorCode, readTextIfExists, unlinkQuietly } from '../io/durable-io.js';
import { ownedName } from '../naming/owned-names.js';
import { identityPrefix, isProcessAlive } from '../process/process-identity.js';
import type { DirectoryWatcher } from './directory-watcher.js';

/** How often a waiter re-checks that the holder is still alive (a death makes no file event). */
const LIVENESS_RECHECK_MS = 100;
/** In-process hand-offs of a held lock in a row before it is released for other processes. */
const MAX_HANDOFFS = 8;
/** Breakers of breakers: a crash at exactly that step, this many times over, is not expected. */
const MAX_BREAK_DEPTH = 8;

/** Options for {@link FileLock}. */
export interface FileLockOptions {
  /** Provider name for error messages. */
  provider: string;
  /** The folder holding the lock files (watched for releases). */
  dir: string;
  /** The lock file's name in `dir`. */
  name: string;
  /** This holder's owner file (its text is {@link ownerTag}); the lock is a hard link to it. */
  ownerFile: string;
  /** `pid.start.boot.ns.instance`: who holds the lock. */
  ownerTag: string;
  /** Give up (ProviderError) after waiting this long for a live holder. */
  timeoutMs: number;
  /** Watches `dir`. */
  watcher: DirectoryWatcher;
  /**
   * Runs while holding the lock right after replacing a dead holder's: the
   * place to finish or undo what the dead holder left half done.
   */
  onTakeover?(deadOwnerTag: string): void | Promise<void>;
}

/**
 * A lock shared by processes on one host: a hard link from this holder's
 * owner file (`pid + start time + boot id + instance`) to the lock's name,
 * so the lock appears atomically with its owner inside (`link` fails with
 * EEXIST like `O_EXCL`). Within a process, callers queue in memory first.
 *
 * A lock is taken over only when its holder is proven dead (see
 * `isProcessAlive`), never because of its age: a stopped holder keeps its
 * lock and finishes its work when it resumes. Takeover is serialized by a
 * breaker lock (`<name>.break`, itself a lock of the same kind) and swaps
 * the dead holder's file for ours in one `rename`, so there is no moment
 * without a holder for a third process to slip in.
 */
export class FileLock {
  private readonly path: string;
  private locked = false;
  private readonly queue: Array<(fileHeld: boolean) => void> = [];
  private streak = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: FileLockOptions) {
    this.path = join(options.dir, options.name);
  }

  /** Waits for the lock (in-process queue first, then the file). */
  async acquire(): Promise<void> {
    let fileHeld = false;
    if (this.locked) fileHeld = await new Promise<boolean>((resolve) => this.queue.push(resolve));
    else this.locked = true;
    if (fileHeld) return;
    try {
      await this.acquireFile();
      this.streak = 0;
    } catch (error) {
      this.handOff(false);
      throw error;
    }
  }

  /**
   * Releases the lock taken by {@link acquire}. A caller of this process
   * already waiting gets it without the file being released and taken again
   * (two file-system operations saved), at most {@link MAX_HANDOFFS} times in
   * a row so that other processes get their turn.
   */
  release(): void {
    if (this.queue.length > 0 && this.streak < MAX_HANDOFFS) {
      this.streak++;
      this.handOff(true);
      return;
    }
    try {
      unlinkSync(this.path);
    } finally {
      this.handOff(false);
    }
  }

  /** Resolves once no caller in this process holds or waits for the lock. */
  whenIdle(): Promise<void> {
    if (!this.locked) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private handOff(fileHeld: boolean): void {
    const next = this.queue.shift();
    if (next) {
      next(fileHeld);
      return;
    }
    this.locked = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async acquireFile(): Promise<void> {
    const { watcher, timeoutMs } = this.options;
    const deadline = Date.now() + timeoutMs;
    let watching = false;
    for (;;) {
      const since = watcher.version;
      if (tryLink(this.options.ownerFile, this.path, this.options.provider)) return;
      const holder = readTextIfExists(this.path);
      if (holder === null) continue;
      if (holder === this.options.ownerTag) return; // a release that never unlinked: ours already
      if (!holderAlive(holder) && (await this.takeOver(holder))) return;
      // A live holder, or a live process busy taking over from a dead one: wait.
      if (!watching) {
        watching = true;
        watcher.start();
        continue; // the release may have happened before the watch began: look again
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ProviderError(
          this.options.provider,
          `timed out after ${timeoutMs} ms waiting for lock ${this.path}, held by live process ${holderPid(holder)} (is it stopped or stuck?)`,
        );
      }
      await watcher.wait(since, Math.min(left, LIVENESS_RECHECK_MS));
    }
  }

  /** Replaces a dead holder's lock with ours; false when someone else is doing it or did it. */
  private async takeOver(deadHolder: string): Promise<boolean> {
    const breaker = `${this.path}.break`;
    if (!this.takeBreaker(breaker, 0)) return false;
    try {
      if (readTextIfExists(this.path) !== deadHolder) return false;
      const swap = join(this.options.dir, ownedName('take'));
      linkSync(this.options.ownerFile, swap);
      try {
        renameSync(swap, this.path);
      } catch (error) {
        unlinkQuietly(swap);
        throw error;
      }
    } finally {
      unlinkQuietly(breaker);
    }
    try {
      await this.options.onTakeover?.(deadHolder);
    } catch (error) {
      unlinkQuietly(this.path);
      throw error;
    }
    return true;
  }

  /** Takes the breaker lock at `path` without waiting (breaking a dead breaker's). */
  private takeBreaker(path: string, depth: number): boolean {
    if (tryLink(this.options.ownerFile, path, this.options.provider)) return true;
    const holder = readTextIfExists(path);
    if (holder === null) return tryLink(this.options.ownerFile, path, this.options.provider);
    if (holderAlive(holder) || depth >= MAX_BREAK_DEPTH) return false;
    const inner = `${path}.break`;
    if (!this.takeBreaker(inner, depth + 1)) return false;
    try {
      if (readTextIfExists(path) !== holder) return false;
      const swap = join(this.options.dir, ownedName('take'));
      linkSync(this.options.ownerFile, swap);
      renameSync(swap, path);
      return true;
    } finally {
      unlinkQuietly(inner);
    }
  }
}

/** Links `ownerFile` to `path`; false when `path` exists. */
function tryLink(ownerFile: string, path: string, provider: string): boolean {
  try {
    linkSync(ownerFile, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new ProviderError(provider, `cannot create lock ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The holder named in a lock file is alive (an unreadable name counts as dead: we wrote it whole). */
function holderAlive(holder: string): boolean {
  const id = identityPrefix(holder);
  return id !== null && isProcessAlive(id);
}

function holderPid(holder: string): string {
  return holder.split('.')[0] ?? '?';
}
