import { redisProblem } from '../env/redis.js';
import { workspaceVersion } from '../env/versions.js';
import { JobserviceAdapter } from './jobservice-adapter.js';
import type { SystemEnv, SystemModule } from './types.js';

type RedisProviderClass = typeof import('@jobservice/provider-redis').RedisProvider;
let Provider: RedisProviderClass | undefined;

/** jobservice on Redis: `RedisProvider` as store and queue (pub/sub doorbell), on the Redis BullMQ uses. */
export const jobserviceRedis: SystemModule = {
  id: 'jobservice-redis',
  label: `jobservice ${workspaceVersion('packages/core')} (redis)`,
  settings: (concurrency) =>
    `RedisProvider (provider-redis ${workspaceVersion('packages/provider-redis')}) as store + queue ` +
    `(pub/sub doorbell) on the same Redis as BullMQ; JobDispatcher concurrency ${concurrency}, ` +
    'every other option default; completed jobs stay (history until retention)',
  async unavailable(env) {
    if (!env.redisUrl) return 'no Redis answered';
    const problem = await redisProblem(env.redisUrl);
    if (problem) return problem;
    Provider = (await import('@jobservice/provider-redis')).RedisProvider;
    return null;
  },
  create: (env) => new JobserviceRedis(env),
};

class JobserviceRedis extends JobserviceAdapter {
  private readonly provider;

  constructor(env: SystemEnv) {
    if (!Provider || !env.redisUrl) throw new Error('jobservice-redis: call unavailable() first');
    const provider = new Provider({ url: env.redisUrl, prefix: env.namespace });
    super(provider, provider);
    this.provider = provider;
  }

  async install(): Promise<void> {
    await this.provider.ready();
  }

  async uninstall(): Promise<void> {
    await this.provider.deleteAllData();
  }

  remaining(): Promise<number> {
    return this.unfinished();
  }

  async close(): Promise<void> {
    await this.provider.close();
  }
}
