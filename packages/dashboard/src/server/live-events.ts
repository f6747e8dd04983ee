import type { IDocumentDataProvider, JobManager, Unwatch } from '@jobservice/core';

/** One open event stream. */
export interface EventSink {
  /** Sends one server-sent event. */
  send(event: string, data: string): void;
  /** Ends the stream (the dashboard is closing). */
  end(): void;
}

/**
 * Fans change notices out to the open event streams. With a store that has
 * `watch` it relays its change feed (coalesced to one notice per 250 ms);
 * otherwise it polls `countJobs()` every `pollMs` and notifies when they
 * changed. Nothing runs while no stream is open.
 */
export class LiveEvents {
  private readonly sinks = new Set<EventSink>();
  private unwatch: Unwatch | null = null;
  private poller: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private pending: NodeJS.Timeout | null = null;
  private lastCounts = '';
  private closed = false;

  constructor(
    private readonly manager: JobManager,
    private readonly store: IDocumentDataProvider | undefined,
    private readonly pollMs = 5_000,
  ) {}

  /** How the dashboard learns of changes: `watch` or `poll`. */
  get mode(): 'watch' | 'poll' {
    return this.store?.watch ? 'watch' : 'poll';
  }

  /** Adds a stream; returns its remover. */
  add(sink: EventSink): () => void {
    if (this.closed) return () => {};
    this.sinks.add(sink);
    sink.send('hello', JSON.stringify({ mode: this.mode }));
    if (this.sinks.size === 1) void this.startSource();
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** Tells every stream something changed (after an action, say). */
  notify(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      for (const sink of this.sinks) sink.send('change', '{}');
    }, 250);
    this.pending.unref();
  }

  private async startSource(): Promise<void> {
    this.keepAlive ??= setInterval(() => {
      for (const sink of this.sinks) sink.send('ping', '{}');
    }, 20_000);
    this.keepAlive.unref();
    if (this.store?.watch) {
      if (this.unwatch) return;
      try {
        const unwatch = await this.store.watch(() => this.notify());
        if (this.closed) await unwatch();
        else this.unwatch = unwatch;
        return;
      } catch {
        // fall through to polling
      }
    }
    if (this.poller) return;
    this.poller = setInterval(() => void this.poll(), this.pollMs);
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    if (this.sinks.size === 0) return;
    try {
      const counts = JSON.stringify(await this.manager.countJobs());
      if (this.lastCounts && counts !== this.lastCounts) this.notify();
      this.lastCounts = counts;
    } catch {
      // the next poll tries again
    }
  }

  /** Ends every stream and stops the watcher or poller. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of [this.poller, this.keepAlive, this.pending]) if (timer) clearTimeout(timer);
    for (const sink of this.sinks) sink.end();
    this.sinks.clear();
    const unwatch = this.unwatch;
    this.unwatch = null;
    if (unwatch) await unwatch().catch(() => {});
  }
}
