import { InvalidInputError, type Logger, silentLogger } from '@jobservice/core';

/** The broker used when neither `url` nor `AMQP_URL` is given. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * The default delay buckets (ms): a delayed bell waits in the largest bucket
 * not longer than what is left, then again for the rest, so it arrives at
 * most one smallest bucket (plus a broker round trip per hop) late.
 */
export const DEFAULT_DELAY_BUCKETS_MS: readonly number[] = [
  50, 200, 1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000,
];

/** Queue, exchange and bucket names start with this; letters, digits, `.`, `_`, `-`. */
export const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** How delayed bells are held: TTL bucket queues, the delayed-message plugin, or whichever the broker has. */
export type DelayStrategy = 'auto' | 'buckets' | 'plugin';

/** The broker prefetch when neither the options nor the subscriber say. */
export const DEFAULT_PREFETCH = 16;

/** Options for {@link RabbitMqQueueProvider}. */
export interface RabbitMqQueueOptions {
  /**
   * The broker, with credentials and vhost: `amqp://user:pass@host:5672/vhost`
   * (`amqps://` for TLS). @default process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  url?: string;
  /**
   * Starts every exchange and queue name this provider declares, so several
   * applications (or tests) share a vhost without meeting. @default 'jobservice'
   */
  prefix?: string;
  /**
   * Unacknowledged bells the broker pushes to one subscription at a time
   * (`basic.qos`, per consumer). A bell is acknowledged as soon as its
   * handler returns (or its promise settles: a dispatcher's, once the
   * claim the bell caused has come back), so this bounds the bells in
   * flight, not the jobs a dispatcher runs. @default the subscriber's
   * `capacity` (a dispatcher's concurrency + prefetch), else
   * {@link DEFAULT_PREFETCH}
   */
  prefetch?: number;
  /** Delay buckets in ms for the bucket strategy, ascending, each ≥ 1. @default DEFAULT_DELAY_BUCKETS_MS */
  delayBucketsMs?: readonly number[];
  /** How delays are held. `auto` uses the delayed-message plugin where it is enabled. @default 'auto' */
  delays?: DelayStrategy;
  /** Where connection loss, reconnects and dropped bells are reported. @default silentLogger */
  logger?: Logger;
  /** Give up on one connection attempt (TCP + AMQP handshake) after this long. @default 5_000 */
  connectTimeoutMs?: number;
  /** `enqueue` rejects when the broker has not confirmed its bells (across reconnects) within this. @default 15_000 */
  publishTimeoutMs?: number;
  /** The longest pause between reconnect attempts (backoff doubles from 100 ms, jittered). @default 10_000 */
  maxReconnectDelayMs?: number;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  url: string;
  prefix: string;
  prefetch: number | undefined;
  delayBucketsMs: readonly number[];
  delays: DelayStrategy;
  logger: Logger;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
  maxReconnectDelayMs: number;
}

/** Applies defaults and rejects bad options with an {@link InvalidInputError} naming the field and the fix. */
export function resolveOptions(options: RabbitMqQueueOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', 'must be an object such as { url, prefix }');
  }
  const url = options.url ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
  if (typeof url !== 'string' || !/^amqps?:\/\//.test(url)) {
    throw new InvalidInputError(
      'options.url',
      'must be an amqp:// or amqps:// URL, e.g. amqp://guest:guest@127.0.0.1:5672',
    );
  }
  try {
    new URL(url);
  } catch {
    throw new InvalidInputError('options.url', `is not a valid URL: ${redactUrl(url)}`);
  }
  const prefix = options.prefix ?? 'jobservice';
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      'options.prefix',
      `${JSON.stringify(prefix)} is not a valid prefix; use 1–80 characters from A–Z a–z 0–9 . _ - starting with a letter or digit (e.g. 'myapp')`,
    );
  }
  const buckets = options.delayBucketsMs ?? DEFAULT_DELAY_BUCKETS_MS;
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    buckets.some((b, i) => !Number.isSafeInteger(b) || b < 1 || (i > 0 && b <= (buckets[i - 1] as number)))
  ) {
    throw new InvalidInputError(
      'options.delayBucketsMs',
      'must be a non-empty ascending list of whole milliseconds ≥ 1',
    );
  }
  const delays = options.delays ?? 'auto';
  if (delays !== 'auto' && delays !== 'buckets' && delays !== 'plugin') {
    throw new InvalidInputError(
      'options.delays',
      `must be 'auto', 'buckets' or 'plugin', got ${String(delays)}`,
    );
  }
  return {
    url,
    prefix,
    prefetch:
      options.prefetch === undefined ? undefined : positiveInt(options.prefetch, 'options.prefetch', 65_535),
    delayBucketsMs: [...buckets],
    delays,
    logger: options.logger ?? silentLogger,
    connectTimeoutMs: positiveInt(options.connectTimeoutMs ?? 5_000, 'options.connectTimeoutMs'),
    publishTimeoutMs: positiveInt(options.publishTimeoutMs ?? 15_000, 'options.publishTimeoutMs'),
    maxReconnectDelayMs: positiveInt(options.maxReconnectDelayMs ?? 10_000, 'options.maxReconnectDelayMs'),
  };
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(amqps?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

function positiveInt(value: unknown, field: string, max = 2_147_483_647): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(field, `must be a whole number from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}
