import { join } from 'node:path';
import { MemoryDocumentProvider, silentLogger } from '@jobservice/core';
import { FakeClock, runConformanceKit } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '../src/index.js';
import { tempRoot } from './helpers/temp-root.js';

const test = { describe, it, expect, beforeEach, afterEach };

// fs store + channel queue is run by the lead (providers never import each other).
runConformanceKit({
  name: 'fs store + fs queue',
  test,
  async createHarness() {
    const dir = tempRoot();
    const clock = new FakeClock(Date.now());
    const options = {
      root: join(dir.path, 'store'),
      clock,
      durability: 'relaxed' as const,
      logger: silentLogger,
    };
    const store = await FileSystemDocumentProvider.open(options);
    const queue = await FileSystemQueueProvider.open({ root: join(dir.path, 'bells'), logger: silentLogger });
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
        await queue.close();
        for (const peer of peers) await peer.close();
        await store.close();
        dir.remove();
      },
    };
  },
});

// The memory store's own paths are core's to test; here the fs queue is what is new.
runConformanceKit({
  name: 'memory store + fs queue',
  test,
  paths: ['native'],
  async createHarness() {
    const dir = tempRoot();
    const clock = new FakeClock(Date.now());
    const store = new MemoryDocumentProvider({ clock });
    const queue = await FileSystemQueueProvider.open({ root: join(dir.path, 'bells'), logger: silentLogger });
    return {
      store,
      queue,
      advanceTime: (ms) => clock.advance(ms),
      async cleanup() {
        await queue.close();
        await store.close();
        dir.remove();
      },
    };
  },
});
