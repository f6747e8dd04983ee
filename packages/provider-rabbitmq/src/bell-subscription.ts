import type { Bell, Logger } from '@jobservice/core';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { decodeBell } from './bell-codec.js';
import { preconditionError } from './bell-publisher.js';
import { PROVIDER } from './connect-error.js';
import { declareBase, declareNameQueue, type TopologyNames } from './topology.js';

/** What a subscription needs from its provider. */
export interface SubscriptionDeps {
  names: TopologyNames;
  prefetch: number;
  logger: Logger;
  /** The live connection now, or `undefined` while reconnecting (the provider restarts subscriptions then). */
  currentConnection(): ChannelModel | undefined;
  /** Sends a bell that arrived before its `notBefore` back into the delay. */
  redelay(bell: Bell): Promise<void>;
}

/**
 * One `subscribe` call: its own channel with `basic.qos(prefetch)`, one
 * consumer on `<prefix>.any` and one on each name queue, manual acks.
 *
 * A bell is acknowledged once its handler returned — or, when the handler
 * returns a promise, once it settled. A handler that throws (or rejects)
 * gets the bell again once (`nack` with requeue); a bell that fails again
 * after redelivery is dropped with a warning, so a failing handler cannot
 * spin the broker (the store still has the job; an idle claim finds it).
 * A bell that arrives early (a coarse delay bucket) goes back to the delay.
 * A channel the broker closes is reopened with backoff; after a connection
 * loss the provider restarts the subscription on the new connection.
 */
export class BellSubscription {
  private channel: Channel | undefined;
  private channelOn: ChannelModel | undefined;
  private tags: string[] = [];
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly handler: (bell: Bell) => unknown,
    private readonly filter: ReadonlySet<string> | null,
  ) {}

  /** Opens the channel and consumers on `model` (no-op when already consuming there). */
  start(model: ChannelModel): Promise<void> {
    if (this.stopped || (this.channel && this.channelOn === model)) return Promise.resolve();
    this.starting ??= this.open(model).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops consuming, waits for bells being handled to be acknowledged, closes the channel. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    const channel = this.channel;
    for (const tag of this.tags) await channel?.cancel(tag).catch(() => undefined);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private async open(model: ChannelModel): Promise<void> {
    const { names, prefetch } = this.deps;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => {
      this.deps.logger.debug(`${PROVIDER}: subscription channel error`, { error: error.message });
    });
    channel.on('close', () => this.closed(channel));
    const previous = this.channel;
    this.channel = channel;
    this.channelOn = model;
    this.tags = [];
    await previous?.close().catch(() => undefined);
    try {
      await channel.prefetch(prefetch, false);
      await declareBase(channel, names);
      const queues = [names.any];
      for (const name of this.filter ?? []) {
        try {
          queues.push(await declareNameQueue(channel, names, name));
        } catch (error) {
          throw preconditionError(error, names.nameQueue(name)) ?? error;
        }
      }
      for (const queue of queues) {
        const { consumerTag } = await channel.consume(queue, (msg) => this.onMessage(channel, msg), {
          noAck: false,
        });
        this.tags.push(consumerTag);
      }
    } catch (error) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.failures = 0;
    if (this.stopped) await this.shutdownChannel(channel);
  }

  private async shutdownChannel(channel: Channel): Promise<void> {
    if (this.channel === channel) this.channel = undefined;
    await channel.close().catch(() => undefined);
  }

  /** The channel closed: reopen it after a pause, unless stopping or the connection is gone. */
  private closed(channel: Channel): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    if (this.stopped) return;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    this.failures++;
    const cap = Math.min(5_000, 100 * 2 ** Math.min(this.failures - 1, 10));
    this.restartTimer = setTimeout(
      () => {
        this.restartTimer = undefined;
        const model = this.deps.currentConnection();
        if (!model || this.stopped) return; // the provider restarts us once reconnected
        this.start(model).catch((error) => {
          this.deps.logger.warn(`${PROVIDER}: resubscribing failed; retrying`, {
            error: error instanceof Error ? error.message : String(error),
          });
          this.scheduleRestart();
        });
      },
      cap / 2 + Math.random() * (cap / 2),
    );
    this.restartTimer.unref();
  }

  private onMessage(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (its queue was deleted): start over on a fresh channel.
      this.deps.logger.warn(`${PROVIDER}: the broker cancelled a consumer; resubscribing`);
      channel.close().catch(() => undefined);
      return;
    }
    const work = this.handle(channel, msg).finally(() => this.inflight.delete(work));
    this.inflight.add(work);
  }

  private async handle(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const bell = decodeBell(msg.content);
    if (!bell) {
      this.deps.logger.warn(`${PROVIDER}: dropped a message that is not a bell`, {
        queue: msg.fields.routingKey,
      });
      return settle(channel, msg, 'ack');
    }
    if (this.stopped) return settle(channel, msg, 'requeue');
    if (bell.name !== undefined && this.filter && !this.filter.has(bell.name)) {
      // Only reaches `<prefix>.any` when no queue of its name was bound, i.e.
      // no subscriber of that name was live; one that starts claims anyway.
      return settle(channel, msg, 'ack');
    }
    if (bell.notBefore !== undefined && bell.notBefore > Date.now()) {
      try {
        await this.deps.redelay(bell);
        return settle(channel, msg, 'ack');
      } catch {
        return settle(channel, msg, 'requeue');
      }
    }
    try {
      const outcome = this.handler(bell);
      if (isThenable(outcome)) await outcome;
      settle(channel, msg, 'ack');
    } catch (error) {
      if (!msg.fields.redelivered) {
        this.deps.logger.warn(`${PROVIDER}: a bell handler failed; the bell is requeued once`, { error });
        settle(channel, msg, 'requeue');
      } else {
        this.deps.logger.warn(
          `${PROVIDER}: a bell handler failed again; dropped the bell (the store still has job ${bell.id})`,
          {
            error,
          },
        );
        settle(channel, msg, 'ack');
      }
    }
  }
}

/** Acks or requeues; a no-op on a channel that closed (the broker has requeued the bell already). */
function settle(channel: Channel, msg: ConsumeMessage, how: 'ack' | 'requeue'): void {
  try {
    if (how === 'ack') channel.ack(msg);
    else channel.nack(msg, false, true);
  } catch {
    // channel gone: unacknowledged bells return to their queue
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
