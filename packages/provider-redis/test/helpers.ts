import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { RedisProvider, type RedisProviderOptions } from '../src/index.js';

/** The Redis the tests run against ('' when none: the tests skip). */
export const redisUrl = inject('redisUrl');
/** Why the tests skip, when there is no Redis. */
export const skipReason = inject('redisSkipReason');

/** A fresh key prefix per test, so runs never share keys. */
export function randomPrefix(label = 't'): string {
  return `jstest-${label}-${randomBytes(5).toString('hex')}`;
}

/** A provider on `redisUrl` with a fresh (or the given) prefix. */
export function openProvider(options: RedisProviderOptions = {}): RedisProvider {
  return new RedisProvider({ url: redisUrl, prefix: randomPrefix(), connectTimeoutMs: 5_000, ...options });
}

/** Deletes the provider's keys, then closes it. */
export async function dropAndClose(provider: RedisProvider): Promise<void> {
  try {
    await provider.deleteAllData();
  } finally {
    await provider.close();
  }
}
