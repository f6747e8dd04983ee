import { runConformanceKit } from '@jobservice/core/testing';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { disposeQueue, openQueue } from './helpers/broker.js';
import { queueFeatures, kitTest as test } from './helpers/kit.js';
import { databaseUrl, freshSchema } from './helpers/postgres.js';

// The stores' own paths are their packages' to test: native is enough here,
// where what is new is the RabbitMQ doorbell under every area.
runConformanceKit({
  name: 'postgres store + rabbitmq queue',
  test,
  paths: ['native'],
  queueFeatures,
  async createHarness() {
    const schema = freshSchema();
    const open = () =>
      new PostgresProvider({
        connectionString: databaseUrl(),
        schema,
        poolConfig: { max: 4 },
        listenerPingMs: 0,
      });
    const store = open();
    await store.ready();
    const queue = await openQueue();
    const peers: PostgresProvider[] = [];
    return {
      store,
      queue,
      advanceTime: async (ms) => {
        await store.testing.shiftClock(ms);
      },
      async openPeerStore() {
        const peer = open();
        peers.push(peer);
        await peer.ready();
        return peer;
      },
      async cleanup() {
        await disposeQueue(queue);
        await Promise.all([...peers, store].map((p) => p.close()));
      },
    };
  },
});
