/**
 * @jobservice/provider-redis: the Redis store (every capability, each state
 * change one atomic Lua script) and pub/sub doorbell queue for jobservice.
 */
export type { RedisClient, RedisProviderOptions } from './options.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PREFIX, PREFIX_PATTERN } from './options.js';
export type { RedisTestingTools } from './redis-provider.js';
export { RedisProvider } from './redis-provider.js';
