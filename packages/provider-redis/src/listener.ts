import type { Logger } from '@jobservice/core';
import { connectOnce } from './connect.js';
import type { RedisClient } from './options.js';

/**
 * The provider's one subscriber connection (a `duplicate()` of its client):
 * subscribes to a channel while someone needs it and hands messages on.
 * ioredis re-subscribes after a reconnect; `reconnected` then fires, because
 * messages published while it was down are lost.
 */
export class ChannelListener {
  private client: RedisClient | undefined;
  private readonly counts = new Map<string, number>();
  private everReady = false;

  constructor(
    private readonly source: RedisClient,
    private readonly where: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly hooks: { message(channel: string, payload: string): void; reconnected(): void },
  ) {}

  /** Subscribes to `channel` (counted); resolves once subscribed. */
  async listen(channel: string): Promise<void> {
    const client = await this.open();
    const count = this.counts.get(channel) ?? 0;
    this.counts.set(channel, count + 1);
    if (count === 0) {
      try {
        await client.subscribe(channel);
      } catch (error) {
        this.counts.set(channel, (this.counts.get(channel) ?? 1) - 1);
        throw error;
      }
    }
  }

  /** Drops one use of `channel`; unsubscribes after the last. */
  async unlisten(channel: string): Promise<void> {
    const count = (this.counts.get(channel) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(channel, count);
      return;
    }
    this.counts.delete(channel);
    await this.client?.unsubscribe(channel).catch(() => undefined);
  }

  /** Ends the connection. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.counts.clear();
    client?.disconnect();
  }

  private async open(): Promise<RedisClient> {
    if (!this.client) {
      const client = this.source.duplicate() as RedisClient;
      client.on('error', (error: unknown) =>
        this.logger.warn('redis: subscriber connection error', { error }),
      );
      client.on('message', (channel: string, payload: string) => this.hooks.message(channel, payload));
      client.on('ready', () => {
        if (this.everReady) this.hooks.reconnected();
        this.everReady = true;
      });
      this.client = client;
    }
    try {
      await connectOnce(this.client, this.where, this.timeoutMs);
    } catch (error) {
      const failed = this.client;
      this.client = undefined;
      failed.disconnect();
      throw error;
    }
    this.everReady = true;
    return this.client;
  }
}
