import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type IDocumentDataProvider,
  type IQueueProvider,
  MemoryDocumentProvider,
  silentLogger,
} from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { describe, expect, it } from 'vitest';
import { PARTNER_RATE, TENANT_LIMIT } from '../src/callbacks.js';
import { busiestWindow, peakOverlap, runDemo } from '../src/demo.js';

interface Opened {
  store: IDocumentDataProvider;
  queue: IQueueProvider;
  close(): Promise<void>;
}

const stores: Record<string, () => Promise<Opened>> = {
  'file-system store (the example’s default)': async () => {
    const root = mkdtempSync(join(tmpdir(), 'flow-control-test-'));
    const store = await FileSystemDocumentProvider.open({ root, logger: silentLogger });
    const queue = new ChannelQueueProvider();
    return {
      store,
      queue,
      async close() {
        await queue.close();
        await store.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
  'memory store': async () => {
    const store = new MemoryDocumentProvider();
    const queue = new ChannelQueueProvider();
    return {
      store,
      queue,
      async close() {
        await queue.close();
        await store.close();
      },
    };
  },
};

describe.each(Object.entries(stores))('flow control on the %s', (_, open) => {
  it('runs at most one export per tenant at once and never more than 5 partner calls per second', async () => {
    const opened = await open();
    try {
      const { tally, exports, invoices } = await runDemo({
        store: opened.store,
        queue: opened.queue,
        tenants: ['A', 'B'],
        perTenant: 4,
        invoices: 12,
      });
      expect(exports.map((job) => job.status)).toEqual(Array(8).fill('completed'));
      expect(invoices.map((job) => job.status)).toEqual(Array(12).fill('completed'));

      // Counted in the handlers, and from the store's own start and end times.
      expect([...tally.peak.keys()].sort()).toEqual(['A', 'B']);
      for (const peak of tally.peak.values()) expect(peak).toBeLessThanOrEqual(TENANT_LIMIT);
      const stored = peakOverlap(exports, (job) => job.concurrencyKey ?? '');
      expect([...stored.keys()].sort()).toEqual(['tenant:A', 'tenant:B']);
      for (const peak of stored.values()) expect(peak).toBeLessThanOrEqual(TENANT_LIMIT);

      // Each start is recorded by the claim that took its window's slot (the store's clock).
      const starts = invoices.map((job) => job.startedAt as number);
      expect(starts.every(Number.isFinite)).toBe(true);
      expect(busiestWindow(starts, PARTNER_RATE.perMs)).toBeLessThanOrEqual(PARTNER_RATE.max);
      const calls = tally.events.filter((e) => e.kind === 'call');
      expect(calls).toHaveLength(12);
    } finally {
      await opened.close();
    }
  }, 60_000);
});

describe('the helpers', () => {
  it('counts overlaps, ends at the instant of a start not overlapping it', () => {
    const job = (key: string, startedAt: number, finishedAt: number) =>
      ({ concurrencyKey: key, startedAt, finishedAt }) as never;
    const peak = peakOverlap([job('a', 0, 10), job('a', 10, 20), job('b', 0, 10), job('b', 5, 8)], (j) =>
      String((j as { concurrencyKey: string }).concurrencyKey),
    );
    expect(peak).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
  });

  it('finds the busiest sliding window', () => {
    expect(busiestWindow([0, 100, 999, 1_000, 1_001], 1_000)).toBe(4); // (1, 1001]: 100, 999, 1000, 1001
    expect(busiestWindow([0, 1_000, 2_000], 1_000)).toBe(1);
  });
});
