import { Redis } from 'ioredis';

/** Null when a Redis answers PING at `url` within a second, else why not. */
export async function redisProblem(url: string): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const pong = await client.ping();
    return pong === 'PONG' ? null : `Redis at ${url} answered ${pong}`;
  } catch (error) {
    return `no Redis answers at ${url} (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

/** The version Redis reports. */
export async function redisVersion(url: string): Promise<string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}
