import { InvalidInputError, type Logger, silentLogger } from '@jobservice/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** The default key prefix (keys are `{jobservice}:…`). */
export const DEFAULT_PREFIX = 'jobservice';

/** What a prefix may be: 1–64 letters, digits, `_ . : -` (no braces, no glob characters). */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** How long the first connect may take before it fails with a `ProviderError`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** An ioredis client: a single node (`Redis`) or a cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/** Options for {@link RedisProvider}. Pass `url`, or `redis` (a client or ioredis options), or neither for localhost. */
export interface RedisProviderOptions {
  /** Where to connect, e.g. `redis://127.0.0.1:6379/0` (`rediss://` for TLS). The provider owns the client. */
  url?: string;
  /**
   * An existing ioredis `Redis` or `Cluster` client (the provider never
   * closes it; it duplicates it for its subscriber connection), or ioredis
   * `RedisOptions` for a client the provider creates and owns.
   */
  redis?: RedisClient | RedisOptions;
  /**
   * Every key is `{<prefix>}:…`; the braces are a cluster hash tag, so one
   * provider's keys share one slot and every script is atomic in cluster
   * mode. Must match {@link PREFIX_PATTERN}.
   * @default 'jobservice'
   */
  prefix?: string;
  /** How long the first connect may take before calls fail with a `ProviderError`. @default 10_000 */
  connectTimeoutMs?: number;
  /** Where connection trouble is logged. @default silent */
  logger?: Logger;
}

/** The options with defaults applied and the client in hand. */
export interface ResolvedOptions {
  client: RedisClient;
  ownsClient: boolean;
  /** `{prefix}`: the start of every key. */
  keyPrefix: string;
  prefix: string;
  connectTimeoutMs: number;
  logger: Logger;
  /** Where the client connects, for error messages. */
  where: string;
}

/** True for an ioredis client instance (not an options object). */
export function isClient(value: unknown): value is RedisClient {
  return value instanceof Redis || value instanceof Cluster;
}

/** Validates a key prefix, naming the field and the fix. */
export function assertPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      'prefix',
      `must be 1–64 letters, digits, '_', '.', ':' or '-' (no braces or glob characters), got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

/** Validates the options (naming the bad field) and creates the client when asked to. */
export function resolveOptions(input: RedisProviderOptions | string = {}): ResolvedOptions {
  const options: RedisProviderOptions = typeof input === 'string' ? { url: input } : input;
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError(
      'options',
      "pass { url }, { redis } or a URL string, e.g. 'redis://127.0.0.1:6379'",
    );
  }
  const prefix = assertPrefix(options.prefix ?? DEFAULT_PREFIX);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (
    typeof connectTimeoutMs !== 'number' ||
    !Number.isSafeInteger(connectTimeoutMs) ||
    connectTimeoutMs < 1
  ) {
    throw new InvalidInputError(
      'connectTimeoutMs',
      `must be a whole number ≥ 1, got ${String(connectTimeoutMs)}`,
    );
  }
  const logger = options.logger ?? silentLogger;
  if (options.url !== undefined && options.redis !== undefined) {
    throw new InvalidInputError('url', 'pass either url or redis, not both');
  }
  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // Reconnect for ever after the first connect, backing off to 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  };
  if (isClient(options.redis)) {
    const clientOptions = options.redis.options as {
      keyPrefix?: string;
      redisOptions?: { keyPrefix?: string };
    };
    if (clientOptions?.keyPrefix || clientOptions?.redisOptions?.keyPrefix) {
      throw new InvalidInputError(
        'redis',
        "a client with ioredis's keyPrefix is not supported (channels and SCAN are not prefixed); use the prefix option instead",
      );
    }
    return {
      client: options.redis,
      ownsClient: false,
      keyPrefix: `{${prefix}}`,
      prefix,
      connectTimeoutMs,
      logger,
      where: 'the given client',
    };
  }
  let client: Redis;
  let where: string;
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
      throw new InvalidInputError(
        'url',
        `must be a redis:// or rediss:// URL, got ${JSON.stringify(options.url)}`,
      );
    }
    try {
      client = new Redis(options.url, base);
    } catch (error) {
      throw new InvalidInputError('url', `is not a Redis URL: ${(error as Error).message}`);
    }
    where = redactUrl(options.url);
  } else {
    const given = (options.redis ?? {}) as RedisOptions;
    if (typeof given !== 'object')
      throw new InvalidInputError('redis', 'must be an ioredis client or RedisOptions');
    if (given.keyPrefix) {
      throw new InvalidInputError('redis.keyPrefix', 'is not supported; use the prefix option instead');
    }
    client = new Redis({ ...base, ...given, lazyConnect: true });
    where = `${given.host ?? '127.0.0.1'}:${given.port ?? 6379}`;
  }
  client.on('error', (error) => logger.warn('redis: connection error', { error }));
  return { client, ownsClient: true, keyPrefix: `{${prefix}}`, prefix, connectTimeoutMs, logger, where };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
