import { MemoryDocumentProvider } from '@jobservice/core';
import { FakeClock, runConformanceKit } from '@jobservice/core/testing';
import { disposeQueue, openQueue } from './helpers/broker.js';
import { queueFeatures, kitTest as test } from './helpers/kit.js';

// The stores' own paths are their packages' to test: native is enough here,
// where what is new is the RabbitMQ doorbell under every area.
runConformanceKit({
  name: 'memory store + rabbitmq queue',
  test,
  paths: ['native'],
  queueFeatures,
  async createHarness() {
    const clock = new FakeClock(Date.now());
    const store = new MemoryDocumentProvider({ clock });
    const queue = await openQueue();
    return {
      store,
      queue,
      advanceTime: (ms) => clock.advance(ms),
      async cleanup() {
        await disposeQueue(queue);
        await store.close();
      },
    };
  },
});
