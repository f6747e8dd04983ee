import { randomBytes } from 'node:crypto';
import {
  type Bell,
  type BellHandler,
  InvalidInputError,
  type IQueueProvider,
  ProviderError,
  type QueueSubscription,
  type RingOptions,
  ShutdownError,
  type SubscribeOptions,
  silentLogger,
} from '@jobservice/core';
import type { ChannelModel } from 'amqplib';
import { checkBells } from './bell-codec.js';
import { BellPublisher } from './bell-publisher.js';
import { BellSubscription } from './bell-subscription.js';
import { PROVIDER } from './connect-error.js';
import { ConnectionKeeper } from './connection.js';
import {
  DEFAULT_PREFETCH,
  type RabbitMqQueueOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import {
  declareBase,
  declarePluginExchange,
  deleteTopology,
  isQueueableName,
  TopologyNames,
} from './topology.js';

/**
 * The RabbitMQ doorbell: bells are persistent messages on durable queues,
 * one queue per callback name (so a dispatcher consumes only the names it
 * runs) plus `<prefix>.any` for unnamed and not-yet-routed bells; delays
 * through TTL bucket queues that dead-letter into the work queues (or the
 * delayed-message plugin where enabled); priorities through
 * `x-max-priority`; publisher confirms; manual acks; reconnect with backoff.
 * Pair it with any store: the store is the ledger, so a bell lost in a
 * broker crash only costs latency (idle dispatchers claim on a timer).
 *
 * @example
 * const queue = await RabbitMqQueueProvider.connect({ url: process.env.AMQP_URL, prefix: 'myapp' });
 * const dispatcher = new JobDispatcher({ store, queue, callbacks: [SendEmail] });
 */
export class RabbitMqQueueProvider implements IQueueProvider {
  /** `rabbitmq`: starts every error message. */
  readonly providerName = PROVIDER;
  /** The exchange and queue names this provider declares. */
  readonly topology: TopologyNames;
  private readonly options: ResolvedOptions;
  private readonly keeper: ConnectionKeeper;
  private readonly publisher: BellPublisher;
  private readonly subscriptions = new Set<BellSubscription>();
  /** Names this provider declared a work queue for (for {@link deleteTopology}). */
  private readonly subscribedNames = new Set<string>();
  private mode: 'buckets' | 'plugin' = 'buckets';
  private closing: Promise<void> | undefined;
  private detected: Promise<boolean> | undefined;

  /** Creates the provider and connects (declaring the topology); rejects with a {@link ProviderError} naming the fix. */
  static async connect(options: RabbitMqQueueOptions = {}): Promise<RabbitMqQueueProvider> {
    const queue = new RabbitMqQueueProvider(options);
    try {
      await queue.ready();
    } catch (error) {
      await queue.close();
      throw error;
    }
    return queue;
  }

  /** Creates the provider; it connects on first use (or call {@link ready}). Prefer {@link connect}. */
  constructor(options: RabbitMqQueueOptions = {}) {
    this.options = resolveOptions(options);
    this.topology = new TopologyNames(this.options.prefix);
    this.keeper = new ConnectionKeeper({
      url: this.options.url,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs,
      logger: this.options.logger,
      connectionName: `jobservice:${this.options.prefix}:${randomBytes(4).toString('hex')}`,
    });
    this.keeper.onConnected((model, reconnected) => this.connected(model, reconnected));
    this.publisher = new BellPublisher(this.keeper, {
      names: this.topology,
      delayBucketsMs: this.options.delayBucketsMs,
      publishTimeoutMs: this.options.publishTimeoutMs,
      logger: this.options.logger,
      delayMode: () => this.mode,
    });
  }

  /** How delayed bells are held on the current connection: TTL buckets or the delayed-message plugin. */
  get delayStrategy(): 'buckets' | 'plugin' {
    return this.mode;
  }

  /** The name the broker shows for this provider's connection (`client_properties.connection_name`). */
  get connectionName(): string {
    return this.keeper.connectionName;
  }

  /** Resolves once connected with the topology declared; rejects with a {@link ProviderError} naming the fix. */
  async ready(): Promise<void> {
    await this.keeper.connection();
  }

  /** Publishes the bells (persistent) and resolves once the broker confirmed every one. */
  async enqueue(bells: readonly Bell[], options?: RingOptions): Promise<void> {
    if (options?.transaction !== undefined) {
      throw new InvalidInputError(
        'options.transaction',
        'the RabbitMQ queue cannot join a store transaction; omit it',
      );
    }
    checkBells(bells);
    if (this.closing) throw new ShutdownError('rabbitmq queue');
    if (bells.length === 0) return;
    await this.publisher.publish(bells);
  }

  /**
   * Consumes `<prefix>.any` and, for each of `names`, `<prefix>.name.<name>`
   * (declared and bound here). Without `names`, only `<prefix>.any`: unnamed
   * bells and bells whose name has no queue yet. The handler's return (or
   * its promise settling) acknowledges the bell.
   */
  async subscribe(handler: BellHandler, options: SubscribeOptions = {}): Promise<QueueSubscription> {
    if (typeof handler !== 'function') throw new InvalidInputError('handler', 'must be a function');
    if (options.names !== undefined && !Array.isArray(options.names)) {
      throw new InvalidInputError('options.names', 'must be an array of callback names');
    }
    for (const [i, name] of (options.names ?? []).entries()) {
      if (typeof name !== 'string' || !isQueueableName(name)) {
        throw new InvalidInputError(`options.names[${i}]`, `${JSON.stringify(name)} is not a callback name`);
      }
    }
    if (this.closing) throw new ShutdownError('rabbitmq queue');
    const model = await this.keeper.connection();
    const subscription = new BellSubscription(
      {
        names: this.topology,
        prefetch: this.options.prefetch ?? prefetchFor(options.capacity),
        logger: this.options.logger,
        currentConnection: () => this.keeper.current,
        redelay: (bell) => this.publisher.publish([bell]),
      },
      handler,
      options.names ? new Set(options.names) : null,
    );
    for (const name of options.names ?? []) this.subscribedNames.add(name);
    this.subscriptions.add(subscription);
    try {
      await subscription.start(model);
    } catch (error) {
      this.subscriptions.delete(subscription);
      await subscription.stop();
      throw error instanceof ProviderError
        ? error
        : new ProviderError(PROVIDER, `cannot subscribe: ${String(error)}`, { cause: error });
    }
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  /**
   * Deletes the queues and exchanges of this prefix: the base ones, the name
   * queues this provider subscribed (plus `extraNames`), and the delay
   * buckets it used (plus the configured ones). Bells in them are lost —
   * the store still has the jobs. For tests and uninstalling.
   */
  async deleteTopology(extraNames: readonly string[] = []): Promise<void> {
    const model = await this.keeper.connection();
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      const buckets = new Set([...this.publisher.usedBuckets, ...this.options.delayBucketsMs]);
      await deleteTopology(
        channel,
        this.topology,
        new Set([...this.subscribedNames, ...extraNames]),
        buckets,
      );
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Stops every subscription (waiting for in-flight acks), then closes the connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
      this.subscriptions.clear();
      await this.publisher.close();
      await this.keeper.close();
    })();
    return this.closing;
  }

  /** After every (re)connection: declare the base topology, detect the plugin, restart subscriptions. */
  private async connected(model: ChannelModel, reconnected: boolean): Promise<void> {
    await withChannel(model, (channel) => declareBase(channel, this.topology));
    this.mode = await this.detectDelays();
    if (!reconnected) return;
    for (const subscription of this.subscriptions) {
      await subscription.start(model).catch((error) => {
        this.options.logger.warn(`${PROVIDER}: resubscribing after reconnect failed; retrying`, { error });
      });
    }
  }

  /**
   * Asks the broker for the plugin's exchange type once per provider. An
   * unknown exchange type is a connection-level error in AMQP, so the probe
   * runs on a throwaway connection of its own.
   */
  private async detectDelays(): Promise<'buckets' | 'plugin'> {
    if (this.options.delays === 'buckets') return 'buckets';
    this.detected ??= this.probePlugin();
    const found = await this.detected;
    if (!found && this.options.delays === 'plugin') {
      throw new ProviderError(
        PROVIDER,
        `delays: 'plugin' needs the rabbitmq_delayed_message_exchange plugin, which this broker lacks; run 'rabbitmq-plugins enable rabbitmq_delayed_message_exchange' or use delays: 'buckets'`,
      );
    }
    return found ? 'plugin' : 'buckets';
  }

  private async probePlugin(): Promise<boolean> {
    const probe = new ConnectionKeeper({
      url: this.options.url,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs,
      logger: silentLogger,
      connectionName: `${this.keeper.connectionName}:probe`,
    });
    try {
      const model = await probe.connection();
      await withChannel(model, (channel) => declarePluginExchange(channel, this.topology));
      return true;
    } catch {
      return false;
    } finally {
      await probe.close();
    }
  }
}

/** Runs `work` on a short-lived channel (a failed declaration closes only that channel). */
async function withChannel<T>(
  model: ChannelModel,
  work: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<T>,
): Promise<T> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** The broker prefetch for a subscriber that can use `capacity` bells at once (16 when it does not say). */
function prefetchFor(capacity: number | undefined): number {
  if (capacity === undefined || !Number.isSafeInteger(capacity) || capacity < 1) return DEFAULT_PREFETCH;
  return Math.min(capacity, 65_535);
}
