import { abortableDelay, type Logger, ProviderError, ShutdownError } from '@jobservice/core';
import { type ChannelModel, connect } from 'amqplib';
import { connectError, PROVIDER, timeoutError } from './connect-error.js';
import { redactUrl } from './options.js';

/** What the connection keeper needs. */
export interface KeeperSettings {
  url: string;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
  logger: Logger;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  connectionName: string;
}

/** Called after every successful (re)connection, before waiters resume. */
export type OnConnected = (model: ChannelModel, reconnected: boolean) => Promise<void>;

/**
 * Keeps one AMQP connection: the first connect fails fast with a typed
 * {@link ProviderError}; a connection lost later is re-opened with capped,
 * jittered exponential backoff (100 ms doubling to `maxReconnectDelayMs`,
 * each pause drawn from its upper half) until it succeeds or the keeper
 * closes. Every (re)connection runs the `onConnected` hooks (topology,
 * resubscription) before callers waiting in {@link connection} resume.
 */
export class ConnectionKeeper {
  private model: ChannelModel | undefined;
  private opening: Promise<ChannelModel> | undefined;
  private everConnected = false;
  private readonly hooks: OnConnected[] = [];
  private readonly closed = new AbortController();
  private reconnecting: Promise<void> | undefined;
  private readonly dead = new WeakSet<ChannelModel>();
  /** Grows with every connection, so work tied to a dead one can tell. */
  generation = 0;

  constructor(private readonly settings: KeeperSettings) {}

  /** Registers a hook run after every (re)connection. */
  onConnected(hook: OnConnected): void {
    this.hooks.push(hook);
  }

  /** The live connection, or `undefined` while (re)connecting. */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** The name the broker shows for this connection. */
  get connectionName(): string {
    return this.settings.connectionName;
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed.signal.aborted;
  }

  /**
   * The live connection. Before the first success it makes one attempt
   * (rejecting with a {@link ProviderError}); while a reconnect is under way
   * it waits for it, up to `deadline` (epoch ms).
   */
  async connection(deadline = Number.POSITIVE_INFINITY): Promise<ChannelModel> {
    if (this.isClosed) throw new ShutdownError('rabbitmq queue');
    if (this.model) return this.model;
    if (!this.everConnected) {
      this.opening ??= this.open(false).finally(() => {
        this.opening = undefined;
      });
      return this.opening;
    }
    while (!this.model) {
      if (this.isClosed) throw new ShutdownError('rabbitmq queue');
      if (Date.now() >= deadline) {
        throw new ProviderError(
          PROVIDER,
          `still reconnecting to ${redactUrl(this.settings.url)}; the bells were not sent`,
        );
      }
      await abortableDelay(Math.min(50, Math.max(1, deadline - Date.now())), this.closed.signal).catch(
        () => {},
      );
    }
    return this.model;
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.closed.abort();
    await this.opening?.catch(() => undefined);
    await this.reconnecting;
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(() => undefined);
  }

  /** One attempt: connect (bounded by `connectTimeoutMs`), watch for loss, run the hooks. */
  private async open(reconnected: boolean): Promise<ChannelModel> {
    const { url, connectTimeoutMs, connectionName } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    const attempt = connect(url, {
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: connectionName },
    });
    let model: ChannelModel;
    try {
      model = await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(timeoutError(connectTimeoutMs)), connectTimeoutMs);
        }),
      ]);
    } catch (error) {
      // A handshake that completes after the timeout must not leak a connection.
      attempt.then((late) => late.close()).catch(() => undefined);
      throw connectError(error, url, connectTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (this.isClosed) {
      await model.close().catch(() => undefined);
      throw new ShutdownError('rabbitmq queue');
    }
    model.on('error', (error: Error) => {
      this.settings.logger.warn(`${PROVIDER}: connection error`, { error: error.message });
    });
    model.on('close', (error?: Error) => this.lost(model, error));
    model.on('blocked', (reason: string) => {
      this.settings.logger.warn(`${PROVIDER}: the broker blocked publishing (${reason}); enqueue waits`);
    });
    this.generation++;
    for (const hook of this.hooks) {
      try {
        await hook(model, reconnected);
      } catch (error) {
        if (!reconnected) {
          await model.close().catch(() => undefined);
          throw error;
        }
        this.settings.logger.error(`${PROVIDER}: restoring topology after reconnect failed`, { error });
      }
    }
    if (this.dead.has(model))
      throw new ProviderError(PROVIDER, 'the connection closed while it was being set up');
    this.everConnected = true;
    this.model = model;
    return model;
  }

  private lost(model: ChannelModel, error?: Error): void {
    this.dead.add(model);
    if (this.model !== model && this.model !== undefined) return;
    this.model = undefined;
    if (this.isClosed) return;
    this.settings.logger.warn(
      `${PROVIDER}: lost the connection to ${redactUrl(this.settings.url)}; reconnecting`,
      {
        error: error?.message,
      },
    );
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 1; !this.isClosed; attempt++) {
      const cap = Math.min(this.settings.maxReconnectDelayMs, 100 * 2 ** Math.min(attempt - 1, 20));
      const pause = cap / 2 + Math.random() * (cap / 2);
      try {
        await abortableDelay(pause, this.closed.signal);
      } catch {
        return;
      }
      try {
        await this.open(true);
        this.settings.logger.info(`${PROVIDER}: reconnected after ${attempt} attempt(s)`);
        return;
      } catch (error) {
        if (this.isClosed) return;
        this.settings.logger.warn(`${PROVIDER}: reconnect attempt ${attempt} failed; retrying`, {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
