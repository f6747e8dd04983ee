import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDocumentProvider } from '../src/index.js';
import { FakeClock, runConformanceKit } from '../src/testing/index.js';

runConformanceKit({
  name: 'memory store (no queue)',
  test: { describe, it, expect, beforeEach, afterEach },
  lacks: ['queue'],
  async createHarness() {
    const clock = new FakeClock(Date.now());
    const store = new MemoryDocumentProvider({ clock });
    return {
      store,
      advanceTime: (ms) => clock.advance(ms),
      cleanup: () => store.close(),
    };
  },
});
