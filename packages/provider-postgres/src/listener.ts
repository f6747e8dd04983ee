import { clampTimerDelay } from '@jobservice/core';
import pg from 'pg';
import { quoteIdentifier } from './schema-name.js';

/** What the listening connection reports. */
export interface ListenerHooks {
  /** A notification arrived on one of the channels. */
  notification(channel: string, payload: string): void;
  /** The connection dropped and is back, listening again: notifications may have been missed. */
  reconnected(): void;
  /** Something failed (a reconnect attempt, a ping); the listener carries on. */
  error(error: unknown): void;
}

const MIN_RETRY_MS = 50;
const MAX_RETRY_MS = 5_000;

/**
 * One `LISTEN` connection per provider, apart from the pool. It connects on
 * the first `listen`, re-establishes itself after a drop (with backoff) and
 * then reports `reconnected` so the provider can resync; a periodic ping
 * finds connections that died silently.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private opening: Promise<pg.Client> | undefined;
  private readonly channels = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly hooks: ListenerHooks,
    private readonly pingMs: number,
  ) {}

  /** The backend process id of the live connection, or null. */
  get processId(): number | null {
    return (this.client as { processID?: number } | undefined)?.processID ?? null;
  }

  /** Listens on `channel`; resolves once the `LISTEN` is live. */
  listen(channel: string): Promise<void> {
    return this.serialize(async () => {
      if (this.closed) throw new Error('the listener is closed');
      const known = this.channels.has(channel);
      this.channels.add(channel);
      const live = this.client;
      if (live) {
        if (!known) await live.query(`LISTEN ${quoteIdentifier(channel)}`);
        return;
      }
      try {
        await this.connection();
      } catch (error) {
        if (!known) this.channels.delete(channel);
        throw error;
      }
    });
  }

  /** Stops listening on `channel`. */
  unlisten(channel: string): Promise<void> {
    return this.serialize(async () => {
      if (!this.channels.delete(channel)) return;
      await this.client?.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
    });
  }

  /** Ends the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const client = this.client ?? (await this.opening?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => this.hooks.notification(message.channel, message.payload ?? ''));
    client.on('error', () => this.dropped(client));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('the listener is closed');
    }
    this.client = client;
    clearInterval(this.pingTimer);
    if (this.pingMs > 0) {
      this.pingTimer = setInterval(() => this.ping(client), clampTimerDelay(this.pingMs));
      this.pingTimer.unref();
    }
    return client;
  }

  private ping(client: pg.Client): void {
    let answered = false;
    const deadline = setTimeout(() => {
      if (!answered) this.dropped(client, true);
    }, clampTimerDelay(this.pingMs));
    deadline.unref();
    client.query('SELECT 1').then(
      () => {
        answered = true;
        clearTimeout(deadline);
      },
      () => {
        answered = true;
        clearTimeout(deadline);
        this.dropped(client, true);
      },
    );
  }

  private dropped(client: pg.Client, end = false): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    if (end) void client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.retryMs * 2));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.serialize(() => this.connection()).then(
        () => {
          this.retryMs = 0;
          this.hooks.reconnected();
        },
        (error) => {
          if (this.closed) return;
          this.hooks.error(error);
          this.scheduleReconnect();
        },
      );
    }, clampTimerDelay(this.retryMs));
    this.retryTimer.unref();
  }
}
