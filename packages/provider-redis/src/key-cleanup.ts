import { Cluster } from 'ioredis';
import type { RedisClient } from './options.js';

/** Deletes every key starting with `keyPrefix` (`{prefix}`), with SCAN (on every master in cluster mode). */
export async function deleteKeys(client: RedisClient, keyPrefix: string): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await node.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
