import { type Bell, type Logger, ProviderError, ShutdownError } from '@jobservice/core';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { BELL_CONTENT_TYPE, brokerPriority, encodeBell, pickBucket } from './bell-codec.js';
import { PROVIDER } from './connect-error.js';
import type { ConnectionKeeper } from './connection.js';
import { BUCKET_HEADER, declareBucket, type TopologyNames } from './topology.js';

/** What the publisher needs from its provider. */
export interface PublisherSettings {
  names: TopologyNames;
  delayBucketsMs: readonly number[];
  publishTimeoutMs: number;
  logger: Logger;
  /** How delays are held on the current connection. */
  delayMode(): 'buckets' | 'plugin';
}

/**
 * Publishes bells on one confirm channel: each bell is a persistent message
 * and `publish` resolves once the broker confirmed every one of them. A
 * channel or connection lost before the confirms arrive is replaced and the
 * whole batch sent again (a doorbell may ring twice), until
 * `publishTimeoutMs` runs out.
 */
export class BellPublisher {
  private channel: ConfirmChannel | undefined;
  private opening: Promise<ConfirmChannel> | undefined;
  /** Bucket queues declared on the current connection. */
  private declared = new Set<number>();
  private declaredGeneration = -1;
  /** Every bucket this publisher used, for `deleteTopology`. */
  readonly usedBuckets = new Set<number>();
  private closed = false;

  constructor(
    private readonly keeper: ConnectionKeeper,
    private readonly settings: PublisherSettings,
  ) {}

  /** Sends `bells` and waits for the broker's confirms. */
  async publish(bells: readonly Bell[]): Promise<void> {
    const deadline = Date.now() + this.settings.publishTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ShutdownError('rabbitmq queue');
      const channel = await this.confirmChannel(deadline);
      try {
        await this.send(channel, bells);
        return;
      } catch (error) {
        if (error instanceof ProviderError || this.closed) throw error;
        if (Date.now() >= deadline) {
          throw new ProviderError(
            PROVIDER,
            `the broker did not confirm ${bells.length} bell(s) within ${this.settings.publishTimeoutMs} ms; check the broker, or raise options.publishTimeoutMs`,
            { cause: error },
          );
        }
        this.settings.logger.debug(`${PROVIDER}: publishing failed (attempt ${attempt}); sending again`, {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Closes the channel (after its pending confirms). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const channel = this.channel ?? (await this.opening?.catch(() => undefined));
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private async send(channel: ConfirmChannel, bells: readonly Bell[]): Promise<void> {
    const { names } = this.settings;
    const confirms: Promise<void>[] = [];
    for (const bell of bells) {
      const routingKey = names.routingKey(bell.name);
      const options: Options.Publish = {
        persistent: true,
        priority: brokerPriority(bell.priority),
        contentType: BELL_CONTENT_TYPE,
        messageId: bell.id,
      };
      let exchange = names.bells;
      const remaining = bell.notBefore === undefined ? 0 : Math.ceil(bell.notBefore - Date.now());
      if (remaining > 0) {
        if (this.settings.delayMode() === 'plugin') {
          exchange = names.delayed;
          options.headers = { 'x-delay': remaining };
        } else {
          const bucket = pickBucket(remaining, this.settings.delayBucketsMs);
          await this.ensureBucket(channel, bucket);
          exchange = names.delay;
          options.headers = { [BUCKET_HEADER]: String(bucket) };
        }
      }
      let more = true;
      confirms.push(
        new Promise<void>((resolve, reject) => {
          more = channel.publish(exchange, routingKey, encodeBell(bell), options, (error) =>
            error ? reject(asError(error)) : resolve(),
          );
        }),
      );
      if (!more) await drained(channel);
    }
    await Promise.all(confirms);
  }

  private async ensureBucket(channel: ConfirmChannel, bucket: number): Promise<void> {
    if (this.declaredGeneration !== this.keeper.generation) {
      this.declared = new Set();
      this.declaredGeneration = this.keeper.generation;
    }
    if (this.declared.has(bucket)) return;
    try {
      await declareBucket(channel, this.settings.names, bucket);
    } catch (error) {
      throw preconditionError(error, this.settings.names.bucketQueue(bucket)) ?? error;
    }
    this.declared.add(bucket);
    this.usedBuckets.add(bucket);
  }

  private async confirmChannel(deadline: number): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    this.opening ??= this.keeper
      .connection(deadline)
      .then((model) => this.openChannel(model))
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private async openChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => {
      this.settings.logger.debug(`${PROVIDER}: publishing channel error`, { error: error.message });
    });
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }
}

/** A {@link ProviderError} for a queue declared elsewhere with other arguments (406), else `undefined`. */
export function preconditionError(error: unknown, queue: string): ProviderError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/PRECONDITION_FAILED|\b406\b/.test(message)) return undefined;
  return new ProviderError(
    PROVIDER,
    `queue '${queue}' exists with other arguments (${message}); delete it (rabbitmqctl delete_queue) or use another options.prefix`,
    { cause: error },
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`the broker refused a bell: ${String(error)}`);
}

/** Resolves when the channel's write buffer has room again (or it closed: the confirms then fail). */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
}
