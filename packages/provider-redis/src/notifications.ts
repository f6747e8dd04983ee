import {
  type Bell,
  type JobChange,
  LocalDoorbell,
  type QueueSubscription,
  type SubscribeOptions,
  type Unwatch,
} from '@jobservice/core';
import { ChangeFeed } from './change-feed.js';

import { ChannelListener } from './listener.js';
import type { RedisClient, ResolvedOptions } from './options.js';

/**
 * Everything a provider hears on its one subscriber connection: bells on
 * `{prefix}:bells` and job changes on `{prefix}:changes` (published by the
 * write scripts). Each channel is subscribed only while someone needs it.
 */
export class Notifications {
  private readonly listener: ChannelListener;
  private readonly doorbell: LocalDoorbell;
  private readonly changes: ChangeFeed;

  constructor(
    client: RedisClient,
    channels: { bells: string; changes: string },
    options: Pick<ResolvedOptions, 'where' | 'connectTimeoutMs' | 'logger'>,
  ) {
    const warn = (during: string) => (error: unknown) =>
      options.logger.warn(`redis: ${during} failed`, { error });
    this.listener = new ChannelListener(client, options.where, options.connectTimeoutMs, options.logger, {
      message: (channel, payload) => {
        if (channel === channels.bells) this.doorbell.receive(payload);
        else if (channel === channels.changes) this.changes.receive(payload);
      },
      reconnected: () => {
        options.logger.info('redis: the subscriber connection is back; resyncing bell subscribers');
        this.doorbell.resync();
      },
    });
    this.doorbell = new LocalDoorbell({
      listen: () => this.listener.listen(channels.bells),
      unlisten: () => this.listener.unlisten(channels.bells),
      error: warn('a bell handler'),
    });
    this.changes = new ChangeFeed({
      listen: () => this.listener.listen(channels.changes),
      unlisten: () => this.listener.unlisten(channels.changes),
      error: warn('a watch listener'),
    });
  }

  /** Delivers bells to `handler`; resolves once subscribed. */
  subscribe(handler: (bell: Bell) => void, options?: SubscribeOptions): Promise<QueueSubscription> {
    return this.doorbell.subscribe(handler, options);
  }

  /** Delivers changes to `listener`; resolves once subscribed. */
  watch(listener: (change: JobChange) => void): Promise<Unwatch> {
    return this.changes.watch(listener);
  }

  /** Drops subscribers and watchers and ends the connection. */
  async close(): Promise<void> {
    this.doorbell.close();
    this.changes.close();
    await this.listener.close();
  }
}
