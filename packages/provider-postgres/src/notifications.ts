import {
  type Bell,
  type JobChange,
  LocalDoorbell,
  type Logger,
  type QueueSubscription,
  type SubscribeOptions,
  type Unwatch,
  type WatchOptions,
} from '@jobservice/core';
import type pg from 'pg';
import { ChangeFeed, type ChangeKind } from './change-feed.js';

import { NotificationListener } from './listener.js';

/**
 * Everything a provider hears through its one `LISTEN` connection: the
 * doorbell on `<schema>_bells`, and the change feed on `<schema>_changes`
 * (terminal transitions) and `<schema>_cancels` (cancel requests). Each
 * channel is listened to only while someone needs it.
 */
export class Notifications {
  /** Where bells are rung. */
  readonly bellChannel: string;
  /** Where terminal transitions are announced. */
  readonly finishedChannel: string;
  private readonly cancelChannel: string;
  private readonly listener: NotificationListener;
  private readonly doorbell: LocalDoorbell;
  private readonly changes: ChangeFeed;

  constructor(schema: string, config: pg.ClientConfig, pingMs: number, logger: Logger) {
    this.bellChannel = `${schema}_bells`;
    this.finishedChannel = `${schema}_changes`;
    this.cancelChannel = `${schema}_cancels`;
    const channelOf = (kind: ChangeKind) => (kind === 'finished' ? this.finishedChannel : this.cancelChannel);
    const report = (during: string) => (error: unknown) =>
      logger.warn(`postgres: ${during} failed`, { error });
    this.doorbell = new LocalDoorbell({
      listen: () => this.listener.listen(this.bellChannel),
      unlisten: () => this.listener.unlisten(this.bellChannel),
      error: report('a bell handler'),
    });
    this.changes = new ChangeFeed({
      listen: (kind) => this.listener.listen(channelOf(kind)),
      unlisten: (kind) => this.listener.unlisten(channelOf(kind)),
      error: report('a watch listener'),
    });
    this.listener = new NotificationListener(
      config,
      {
        notification: (channel, payload) => {
          if (channel === this.bellChannel) this.doorbell.receive(payload);
          else if (channel === this.finishedChannel) this.changes.receive('finished', payload);
          else if (channel === this.cancelChannel) this.changes.receive('cancel-requested', payload);
        },
        reconnected: () => {
          logger.info('postgres: the LISTEN connection is back; resyncing subscribers');
          this.doorbell.resync();
        },
        error: report('reconnecting the LISTEN connection'),
      },
      pingMs,
    );
  }

  /** The backend process id of the live `LISTEN` connection, or null. */
  get processId(): number | null {
    return this.listener.processId;
  }

  /** Delivers bells to `handler`; resolves once listening. */
  subscribe(handler: (bell: Bell) => void, options?: SubscribeOptions): Promise<QueueSubscription> {
    return this.doorbell.subscribe(handler, options);
  }

  /** Delivers changes to `listener`; resolves once listening. */
  watch(listener: (change: JobChange) => void, options?: WatchOptions): Promise<Unwatch> {
    return this.changes.watch(listener, options);
  }

  /** Drops subscribers and watchers and ends the connection. */
  async close(): Promise<void> {
    this.doorbell.close();
    this.changes.close();
    await this.listener.close();
  }
}
