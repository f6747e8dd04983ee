import { FakeClock, runConformanceKit } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotMapStore } from '../src/snapshot-map-store.js';

// The store has no optional capabilities, so its "native" path is core's fallbacks.
runConformanceKit({
  name: 'custom snapshot-map store',
  test: { describe, it, expect, beforeEach, afterEach },
  paths: ['native'],
  // No queue here: the kit registers its queue tests as skipped, by name.
  lacks: ['queue'],
  async createHarness() {
    const clock = new FakeClock(Date.now());
    const store = new SnapshotMapStore(clock);
    return { store, advanceTime: (ms) => clock.advance(ms), cleanup: () => store.close() };
  },
});
