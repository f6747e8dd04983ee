import { type FSWatcher, watch } from 'node:fs';
import type { JobChange } from '@jobservice/core';

/**
 * The store's change feed across processes: while anyone listens, a watch on
 * the index folder (plus a slow safety timer) pulls new log lines, and the
 * index reports each status change or cancel request to the listeners.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(change: JobChange) => void>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;

  constructor(
    private readonly dir: string,
    private readonly pull: () => void,
    private readonly safetyMs: number,
  ) {}

  /** True while someone listens. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Tells every listener (a throwing listener does not stop the others). */
  emit(change: JobChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a listener's own failure is its own
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (change: JobChange) => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Stops watching and forgets every listener. */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    if (this.timer) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', () => this.stopWatcher());
    } catch {
      this.watcher = undefined; // the safety timer still delivers, slower
    }
    this.timer = setInterval(() => this.schedule(), this.safetyMs);
    this.timer.unref();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.active) this.pull();
    });
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopWatcher();
  }

  private stopWatcher(): void {
    try {
      this.watcher?.close();
    } catch {
      // already closed
    }
    this.watcher = undefined;
  }
}
