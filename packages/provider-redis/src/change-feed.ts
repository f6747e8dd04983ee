import type { JobChange, JobStatus, Unwatch } from '@jobservice/core';

/**
 * The `watch` listeners of one provider, fed by the change channel every
 * write script publishes to (`{ id, status, cancelRequested }` whenever a
 * job is created or its status or cancel request changes).
 */
export class ChangeFeed {
  private readonly listeners = new Set<(change: JobChange) => void>();

  constructor(
    private readonly hooks: {
      listen(): Promise<void>;
      unlisten(): Promise<void>;
      error(error: unknown): void;
    },
  ) {}

  /** Adds a listener; resolves once subscribed. */
  async watch(listener: (change: JobChange) => void): Promise<Unwatch> {
    await this.hooks.listen();
    this.listeners.add(listener);
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.listeners.delete(listener);
      await this.hooks.unlisten();
    };
  }

  /** A payload arrived on the change channel. */
  receive(payload: string): void {
    let parsed: { id?: unknown; status?: unknown; cancelRequested?: unknown };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof parsed?.id !== 'string' || typeof parsed.status !== 'string') return;
    const change: JobChange = {
      id: parsed.id,
      status: parsed.status as JobStatus,
      cancelRequested: parsed.cancelRequested === true,
    };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.hooks.error(error);
      }
    }
  }

  /** Drops every listener. */
  close(): void {
    this.listeners.clear();
  }
}
