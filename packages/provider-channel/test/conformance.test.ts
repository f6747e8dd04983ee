import { MemoryDocumentProvider } from '@jobservice/core';
import { FakeClock, runConformanceKit } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelQueueProvider } from '../src/index.js';

runConformanceKit({
  name: 'memory store + channel queue',
  test: { describe, it, expect, beforeEach, afterEach },
  async createHarness() {
    const clock = new FakeClock(Date.now());
    const store = new MemoryDocumentProvider({ clock });
    const queue = new ChannelQueueProvider();
    return {
      store,
      queue,
      advanceTime: (ms) => clock.advance(ms),
      async cleanup() {
        await queue.close();
        await store.close();
      },
    };
  },
});
