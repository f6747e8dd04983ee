import { linkSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '@jobservice/core';
import { errorCode, readTextIfExists, unlinkQuietly } from '../io/durable-io.js';
import { ownedName } from '../naming/owned-names.js';
import { identityPrefix, isProcessAlive } from '../process/process-identity.js';
import type { DirectoryWatcher } from './directory-watcher.js';
import { LockTickets } from './lock-tickets.js';

/** How often a waiter re-checks that the holder is still alive (a death makes no file event). */
const LIVENESS_RECHECK_MS = 100;
/** In-process hand-offs of a held lock in a row, at most, before it is released for other processes. */
const MAX_HANDOFFS = 8;
/**
 * A waiter first in line that has not taken the free lock for this long is
 * taken out of the line (a stopped waiter must not block the others); when
 * it resumes it joins again at the back.
 */
const STALE_TURN_MS = 500;
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
 *
 * Fair across processes: a process that finds the lock taken, or others
 * waiting, joins a line of tickets ({@link LockTickets}) and tries the lock
 * only when its ticket is the oldest, woken by `fs.watch` on the folder. The
 * holder hands the lock to its own queued callers only while no other
 * process waits (or to those queued when it got the lock), so a call waits
 * for the holds ahead of it, not for a busy process's next burst.
 */
export class FileLock {
  private readonly path: string;
  private locked = false;
  private readonly queue: Array<(fileHeld: boolean) => void> = [];
  private streak = 0;
  /** Callers of this process already queued when the file lock was taken: they were in line. */
  private batch = 0;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly tickets: LockTickets;

  constructor(private readonly options: FileLockOptions) {
    this.path = join(options.dir, options.name);
    this.tickets = new LockTickets(options.dir, options.name, options.ownerFile);
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
      this.batch = this.queue.length;
    } catch (error) {
      this.handOff(false);
      throw error;
    }
  }

  /**
   * Releases the lock taken by {@link acquire}. A caller of this process
   * already waiting gets it without the file being released and taken again
   * (two file-system operations saved) when it was queued before the file
   * lock was taken or no other process waits, at most {@link MAX_HANDOFFS}
   * times in a row, so that other processes get their turn.
   */
  release(): void {
    if (
      this.queue.length > 0 &&
      this.streak < MAX_HANDOFFS &&
      (this.streak < this.batch || !this.othersWaiting())
    ) {
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

  private othersWaiting(mine?: string): boolean {
    try {
      return this.tickets.othersWaiting(mine);
    } catch {
      return false; // the folder cannot be listed: the lock file still keeps us safe
    }
  }

  private async acquireFile(): Promise<void> {
    const { watcher, timeoutMs } = this.options;
    const deadline = Date.now() + timeoutMs;
    if (!this.othersWaiting() && (await this.tryTake())) return;
    watcher.start(); // before joining the line: every release after it wakes us
    let ticket = this.tickets.take();
    const stale = { ticket: '', since: 0 };
    try {
      for (;;) {
        const since = watcher.version;
        const line = this.tickets.line();
        if (!line.includes(ticket)) {
          ticket = this.tickets.take(); // taken out of the line while stopped: join again at the back
          continue;
        }
        const first = line[0] === ticket ? undefined : line[0];
        const holder = readTextIfExists(this.path);
        if (first === undefined) {
          if (await this.tryTake()) return;
        } else if (holder !== null && holderAlive(holder)) {
          stale.ticket = ''; // held: nobody's turn is being missed
        } else {
          // Free (or its holder dead) and the first in line has not taken it yet.
          if (stale.ticket !== first) Object.assign(stale, { ticket: first, since: Date.now() });
          else if (Date.now() - stale.since > STALE_TURN_MS) {
            this.tickets.drop(first);
            continue;
          }
        }
        const left = deadline - Date.now();
        if (left <= 0) throw this.timedOut(holder, first);
        await watcher.wait(since, Math.min(left, LIVENESS_RECHECK_MS));
      }
    } finally {
      this.tickets.drop(ticket);
    }
  }

  /** One try: link the lock, or find it ours already, or take it over from a dead holder. */
  private async tryTake(): Promise<boolean> {
    const { ownerFile, provider } = this.options;
    for (let tries = 0; tries < 3; tries++) {
      if (tryLink(ownerFile, this.path, provider)) return true;
      const holder = readTextIfExists(this.path);
      if (holder === null) continue; // released in between: try again
      if (holder === this.options.ownerTag) return true; // a release that never unlinked: ours already
      return !holderAlive(holder) && (await this.takeOver(holder));
    }
    return false;
  }

  private timedOut(holder: string | null, first: string | undefined): ProviderError {
    const { timeoutMs, provider } = this.options;
    const who =
      holder !== null
        ? `held by live process ${holderPid(holder)} (is it stopped or stuck?)`
        : `behind waiting process ${holderPid((first ?? '?').slice(1))}`;
    return new ProviderError(
      provider,
      `timed out after ${timeoutMs} ms waiting for lock ${this.path}, ${who}`,
    );
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
