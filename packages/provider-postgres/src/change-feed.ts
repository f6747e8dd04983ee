import {
  JOB_STATUSES,
  type JobChange,
  type JobStatus,
  type Unwatch,
  type WatchOptions,
} from '@jobservice/core';

/** The two kinds of change the triggers send, each on its own channel. */
export type ChangeKind = 'finished' | 'cancel-requested';

interface Watcher {
  listener: (change: JobChange) => void;
  cancelRequestsOnly: boolean;
}

/**
 * The receiving side of `watch`. The row triggers of migration 2 send
 * `[[id, status, cancelRequested], …]` on `<schema>_changes` when a job
 * reaches a terminal status and on `<schema>_cancels` when a cancel is
 * requested, from any process. A channel is listened to only while some
 * watcher wants it: dispatchers watch cancel requests only, so a busy
 * worker is not sent a notification for every job that finishes anywhere.
 */
export class ChangeFeed {
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly hooks: {
      listen(kind: ChangeKind): Promise<void>;
      unlisten(kind: ChangeKind): Promise<void>;
      error(error: unknown): void;
    },
  ) {}

  /** Adds a watcher; resolves once the LISTENs it needs are live. */
  async watch(listener: (change: JobChange) => void, options: WatchOptions = {}): Promise<Unwatch> {
    const watcher: Watcher = {
      listener: (change) => listener(change),
      cancelRequestsOnly: options.cancelRequestsOnly === true,
    };
    this.watchers.add(watcher);
    try {
      await this.hooks.listen('cancel-requested');
      if (!watcher.cancelRequestsOnly) await this.hooks.listen('finished');
    } catch (error) {
      await this.remove(watcher).catch(() => undefined);
      throw error;
    }
    return () => this.remove(watcher);
  }

  /** A NOTIFY payload of `kind` arrived. */
  receive(kind: ChangeKind, payload: string): void {
    const changes = decodeChanges(payload);
    for (const change of changes) {
      for (const watcher of this.watchers) {
        if (kind === 'finished' && watcher.cancelRequestsOnly) continue;
        try {
          watcher.listener(change);
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

  private async remove(watcher: Watcher): Promise<void> {
    if (!this.watchers.delete(watcher)) return;
    if (this.watchers.size === 0) await this.hooks.unlisten('cancel-requested');
    if (![...this.watchers].some((w) => !w.cancelRequestsOnly)) await this.hooks.unlisten('finished');
  }
}

/** `[[id, status, cancelRequested], …]` → changes; anything else is skipped. */
function decodeChanges(payload: string): JobChange[] {
  let rows: unknown;
  try {
    rows = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const changes: JobChange[] = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const [id, status, cancelRequested] = row as [unknown, unknown, unknown];
    if (typeof id !== 'string' || !JOB_STATUSES.includes(status as JobStatus)) continue;
    changes.push({ id, status: status as JobStatus, cancelRequested: cancelRequested === true });
  }
  return changes;
}
