import { hasErrorCode, JobDispatcher, JobExecutionResult, JobManager } from '@jobservice/core';
import { defineCallback, eventually, uniqueName } from '@jobservice/core/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { dropAndClose, openProvider, randomPrefix, redisUrl } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('connection failures', () => {
  it('a refused connection fails ready() and calls with a ProviderError naming redis and the fix', async () => {
    const provider = new RedisProvider({
      url: 'redis://127.0.0.1:1',
      prefix: randomPrefix(),
      connectTimeoutMs: 30_000,
    });
    cleanups.push(() => provider.close());
    const error = await failure(provider.ready());
    expect(hasErrorCode(error, 'PROVIDER_FAILURE')).toBe(true);
    expect(String((error as Error).message)).toMatch(/^redis: could not connect to redis:\/\/127\.0\.0\.1:1/);
    expect(String((error as Error).message)).toMatch(/check that Redis runs there/);
    const again = await failure(provider.get('x'));
    expect(hasErrorCode(again, 'PROVIDER_FAILURE')).toBe(true);
  });

  it('refuses a bad prefix or URL by field, before connecting', () => {
    for (const prefix of ['', 'with space', '{brace}', 'glob*', 'x'.repeat(65)]) {
      expect(() => new RedisProvider({ url: 'redis://127.0.0.1:6379', prefix })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'prefix' }),
      );
    }
    expect(() => new RedisProvider({ url: 'http://127.0.0.1:6379' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'url' }),
    );
  });
});

describe.skipIf(!redisUrl)('a live connection', () => {
  it('close() is idempotent and later calls fail with a ShutdownError', async () => {
    const provider = openProvider();
    await provider.insert({
      id: uniqueName('closing'),
      name: 'closing',
      metadata: {},
      priority: 0,
      maxAttempts: 1,
      backoff: { type: 'fixed', delayMs: 0 },
      timeoutMs: null,
      key: null,
    });
    await provider.deleteAllData();
    await Promise.all([provider.close(), provider.close()]);
    await provider.close();
    expect(hasErrorCode(await failure(provider.now()), 'SHUT_DOWN')).toBe(true);
  });

  it('uses a given ioredis client without closing it', async () => {
    const client = new Redis(redisUrl);
    cleanups.push(async () => {
      await client.quit();
    });
    const provider = new RedisProvider({ redis: client, prefix: randomPrefix() });
    expect(await provider.now()).toBeGreaterThan(0);
    await dropAndClose(provider);
    expect(await client.ping()).toBe('PONG');
  });

  it('reconnects after the server kills its connections mid-run; a dispatcher completes every job', async () => {
    const connectionName = `jstest-kill-${randomPrefix()}`;
    const url = new URL(redisUrl);
    const provider = new RedisProvider({
      redis: { host: url.hostname, port: Number(url.port || 6379), connectionName },
      prefix: randomPrefix('kill'),
    });
    const admin = new Redis(redisUrl);
    cleanups.push(async () => {
      await admin.quit();
    });
    cleanups.push(() => dropAndClose(provider));
    const ran = new Map<string, number>();
    const Callback = defineCallback(uniqueName('survive'), async (m: { n: number }) => {
      ran.set(String(m.n), (ran.get(String(m.n)) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
      return JobExecutionResult.success(m.n);
    });
    const manager = new JobManager({ store: provider, queue: provider, callbacks: [Callback] });
    const dispatcher = new JobDispatcher({
      store: provider,
      queue: provider,
      callbacks: [Callback],
      concurrency: 4,
      leaseMs: 5_000,
    });
    cleanups.push(() => dispatcher.stop({ graceMs: 1_000 }));
    await dispatcher.start();
    const total = 60;
    const ids: string[] = [];
    let kills = 0;
    for (let n = 0; n < total; n++) {
      ids.push((await manager.enqueue(Callback, { n })).id);
      if (n % 20 === 10) kills += await killConnections(admin, connectionName);
    }
    expect(kills).toBeGreaterThan(0);
    await eventually(
      async () => (await provider.countJobs()).find((c) => c.status === 'completed')?.count === total,
      30_000,
      'every job to complete after the kills',
    );
    kills += await killConnections(admin, connectionName);
    expect(kills).toBeGreaterThan(2);
    for (const id of ids) expect((await provider.get(id))?.status).toBe('completed');
    expect(ran.size).toBe(total);
  });
});

/** Kills every connection named `name` from another connection; returns how many. */
async function killConnections(admin: Redis, name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  let killed = 0;
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    if (id && line.includes(` name=${name} `)) {
      killed += Number(await admin.client('KILL', 'ID', id));
    }
  }
  return killed;
}
