import { runConformanceKit } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { dropAndClose, randomPrefix, redisUrl, skipReason } from './helpers.js';

if (!redisUrl) {
  describe.skip(`provider-redis conformance (${skipReason})`, () => {
    it('needs Redis', () => {});
  });
} else {
  runConformanceKit({
    name: 'redis store + pub/sub queue',
    test: { describe, it, expect, beforeEach, afterEach },
    // A PUBLISH reaches every subscribed process and is lost when nobody
    // listens: bells are neither competing across processes nor kept for
    // late subscribers, so no priority order among waiting bells.
    queueFeatures: { delays: true, priorities: false, competing: false },
    async createHarness() {
      const prefix = randomPrefix('kit');
      const open = () => new RedisProvider({ url: redisUrl, prefix, connectTimeoutMs: 5_000 });
      const provider = open();
      await provider.ready();
      const peers: RedisProvider[] = [];
      return {
        store: provider,
        queue: provider,
        advanceTime: async (ms) => {
          await provider.testing.shiftClock(ms);
        },
        openPeerStore: async () => {
          const peer = open();
          peers.push(peer);
          await peer.ready();
          return peer;
        },
        cleanup: async () => {
          await Promise.all(peers.map((p) => p.close()));
          await dropAndClose(provider);
        },
      };
    },
  });
}
