import { JOB_STATUSES, type JobChange, type JobStatus, type Unwatch } from '@jobservice/core';

/**
 * The receiving side of `watch`: the `jobs_notify_changes` trigger sends
 * `[[id, status, cancelRequested], …]` on `<schema>_changes` for terminal
 * transitions and new cancel requests, from any process; this hands each
 * change to every watcher of this provider.
 */
export class ChangeFeed {
  private readonly watchers = new Set<(change: JobChange) => void>();

  constructor(
    private readonly hooks: {
      listen(): Promise<void>;
      unlisten(): Promise<void>;
      error(error: unknown): void;
    },
  ) {}

  /** Adds a watcher; resolves once the LISTEN is live. */
  async watch(listener: (change: JobChange) => void): Promise<Unwatch> {
    const watcher = (change: JobChange) => listener(change);
    this.watchers.add(watcher);
    try {
      await this.hooks.listen();
    } catch (error) {
      this.watchers.delete(watcher);
      throw error;
    }
    return async () => {
      if (!this.watchers.delete(watcher)) return;
      if (this.watchers.size === 0) await this.hooks.unlisten();
    };
  }

  /** A NOTIFY payload arrived. */
  receive(payload: string): void {
    let rows: unknown;
    try {
      rows = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(rows)) return;
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const [id, status, cancelRequested] = row as [unknown, unknown, unknown];
      if (typeof id !== 'string' || !JOB_STATUSES.includes(status as JobStatus)) continue;
      const change: JobChange = {
        id,
        status: status as JobStatus,
        cancelRequested: cancelRequested === true,
      };
      for (const watcher of this.watchers) {
        try {
          watcher(change);
        } catch (error) {
          this.hooks.error(error);
        }
      }
    }
  }

  /** Drops every watcher. */
  close(): void {
    this.watchers.clear();
  }
}
