import { type FSWatcher, watch } from 'node:fs';
import { clampTimerDelay } from '@jobservice/core';

/**
 * Wakes waiters when anything changes in one directory (inotify on Linux
 * through `fs.watch`), with a timeout as a safety net. A version counter
 * closes the gap between "I looked" and "I wait": a change after the look
 * makes the wait return at once. Where `fs.watch` is unavailable the wait is
 * a short, growing sleep.
 */
export class DirectoryWatcher {
  private watcher: FSWatcher | undefined;
  private failed = false;
  private changes = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly dir: string) {}

  /** A number that grows with every change seen; pass it to {@link wait}. */
  get version(): number {
    return this.changes;
  }

  /** Starts watching (idempotent). Returns false when the platform cannot watch. */
  start(): boolean {
    if (this.watcher) return true;
    if (this.failed) return false;
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.changed());
      this.watcher.on('error', () => {
        this.failed = true;
        this.stopWatching();
        this.changed();
      });
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /**
   * Resolves at the first change after `since` (at once if one happened
   * already), or after `ms`.
   */
  wait(since: number, ms: number): Promise<void> {
    if (this.changes !== since) return Promise.resolve();
    const watching = this.start();
    const timeout = watching ? ms : Math.min(ms, 2 + Math.random() * 8);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, clampTimerDelay(timeout));
      this.waiters.add(done);
    });
  }

  /** Stops watching and wakes everyone. */
  close(): void {
    this.stopWatching();
    this.changed();
  }

  private changed(): void {
    this.changes++;
    for (const wake of [...this.waiters]) wake();
  }

  private stopWatching(): void {
    try {
      this.watcher?.close();
    } catch {
      // already closed
    }
    this.watcher = undefined;
  }
}
