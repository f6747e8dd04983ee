import { ProviderError } from '@jobservice/core';
import type { RedisClient } from './options.js';

/**
 * Waits until `client` is ready, starting the connection when it is lazy,
 * for at most `timeoutMs`: a refused connection or a server that does not
 * answer fails with a `ProviderError` naming redis, where, and the fix,
 * instead of ioredis's retry-for-ever. The client is left connecting in the
 * background only when the caller owns it and asks for that.
 */
export function connectOnce(client: RedisClient, where: string, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(connectError(where, timeoutMs, error));
    };
    const onReady = () => finish();
    const onError = (error: unknown) => finish(error);
    const onEnd = () => finish(new Error('the connection was closed'));
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
    if (client.status === 'wait' || client.status === 'end')
      client.connect().catch((error: unknown) => finish(error));
  });
}

/** The typed error for a failed first connect. */
export function connectError(where: string, timeoutMs: number, cause: unknown): ProviderError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ProviderError(
    'redis',
    `could not connect to ${where} (${reason}); check that Redis runs there and that the url ` +
      `(or REDIS_URL) is right, or raise connectTimeoutMs (now ${timeoutMs} ms) for a slow network`,
    { cause },
  );
}
