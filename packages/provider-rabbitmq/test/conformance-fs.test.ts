import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { FakeClock, runConformanceKit } from '@jobservice/core/testing';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { disposeQueue, openQueue } from './helpers/broker.js';
import { queueFeatures, kitTest as test } from './helpers/kit.js';
import { tempDir } from './helpers/temp-dir.js';

// The stores' own paths are their packages' to test: native is enough here,
// where what is new is the RabbitMQ doorbell under every area.
runConformanceKit({
  name: 'fs store + rabbitmq queue',
  test,
  paths: ['native'],
  queueFeatures,
  async createHarness() {
    const dir = tempDir();
    const clock = new FakeClock(Date.now());
    const options = {
      root: join(dir.path, 'store'),
      clock,
      durability: 'relaxed' as const,
      logger: silentLogger,
    };
    const store = await FileSystemDocumentProvider.open(options);
    const queue = await openQueue();
    const peers: FileSystemDocumentProvider[] = [];
    return {
      store,
      queue,
      advanceTime: (ms) => clock.advance(ms),
      async openPeerStore() {
        const peer = await FileSystemDocumentProvider.open(options);
        peers.push(peer);
        return peer;
      },
      async cleanup() {
        await disposeQueue(queue);
        for (const peer of peers) await peer.close();
        await store.close();
        dir.remove();
      },
    };
  },
});
