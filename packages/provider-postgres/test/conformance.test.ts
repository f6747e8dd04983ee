import { runConformanceKit } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { databaseUrl, dropSchemaAfterTest, randomSchema } from './helpers/database.js';

runConformanceKit({
  name: 'postgres store + NOTIFY queue',
  test: { describe, it, expect, beforeEach, afterEach },
  // A NOTIFY reaches every listening process and is lost when nobody listens:
  // bells are neither competing across processes nor kept for late subscribers.
  queueFeatures: { delays: true, priorities: false, competing: false },
  async createHarness() {
    const schema = randomSchema('kit');
    dropSchemaAfterTest(schema);
    const open = () =>
      new PostgresProvider({
        connectionString: databaseUrl(),
        schema,
        poolConfig: { max: 4 },
        listenerPingMs: 0,
      });
    const provider = open();
    await provider.ready();
    const peers: PostgresProvider[] = [];
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
        await Promise.all([...peers, provider].map((p) => p.close()));
      },
    };
  },
});
