import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimRequest, JobDocument, NewJob } from '@jobservice/core';
import { FakeClock, newJob } from '@jobservice/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClaimQueue } from '../src/index/claim-queue.js';
import { decodeRecord, encodeRecord, entryOf, type IndexEntry } from '../src/index/index-entry.js';
import type { FileSystemDocumentProvider } from '../src/index.js';
import { storeOpener, tempRootsPerTest } from './helpers/temp-root.js';

const { cleanups, newRoot } = tempRootsPerTest('store');
const openStore = storeOpener(cleanups);

afterEach(() => {
  vi.restoreAllMocks();
});

function claim(store: FileSystemDocumentProvider, name: string, more: Partial<ClaimRequest> = {}) {
  return store.claim({ names: [name], limit: 100, workerId: 'w', leaseMs: 60_000, ...more });
}

function complete(store: FileSystemDocumentProvider, jobs: readonly JobDocument[]) {
  return store.settle(
    jobs.map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'completed' as const, result: null })),
  );
}

function keyed(name: string, key: string, limit = 1): NewJob {
  return newJob(name, { concurrencyKey: key, concurrencyLimit: limit } as Partial<NewJob>);
}

describe('fs native flow-control', () => {
  it('logs concurrency key, limit and rate flag, and reads lines without them as ungated', () => {
    const doc = {
      ...(newJob('n') as unknown as JobDocument),
      version: 1,
      status: 'scheduled',
      runAt: 5,
      leaseExpiresAt: null,
      finishedAt: null,
      scheduleId: null,
      cancelRequested: false,
      labels: {},
      concurrencyKey: 'tenant:1',
      concurrencyLimit: 3,
      rateLimit: { key: 'api', max: 2, perMs: 1_000 },
    } as JobDocument;
    const entry = entryOf(doc);
    expect(entry).toMatchObject({ concurrencyKey: 'tenant:1', concurrencyLimit: 3, rated: true });
    const encoded = encodeRecord({ record: entry });
    expect(decodeRecord(JSON.parse(JSON.stringify(encoded)))?.record).toEqual(entry);
    const { ck: _ck, cl: _cl, rl: _rl, ...older } = encoded;
    const read = decodeRecord(older)?.record as IndexEntry;
    expect(read.concurrencyKey).toBeUndefined();
    expect(read.rated).toBeUndefined();
  });

  it('advertises flowControl', async () => {
    const store = await openStore(newRoot());
    expect(store.flowControl).toBe(true);
  });

  it('parks blocked jobs: later claims do not walk them; a freed slot puts one back', async () => {
    const store = await openStore(newRoot(), { clock: new FakeClock(Date.now()) });
    const jobs = Array.from({ length: 2_000 }, (_, i) => keyed('parked', `k${i % 20}`));
    for (let i = 0; i < jobs.length; i += 500) await store.insertMany(jobs.slice(i, i + 500));
    const first = await claim(store, 'parked');
    expect(first).toHaveLength(20);
    expect(new Set(first.map((j) => j.concurrencyKey)).size).toBe(20);

    const pops = vi.spyOn(ClaimQueue.prototype, 'pop');
    expect(await claim(store, 'parked')).toEqual([]);
    expect(pops.mock.calls.length).toBeLessThanOrEqual(2);

    pops.mockClear();
    const done = first.find((j) => j.concurrencyKey === 'k7') as JobDocument;
    await complete(store, [done]);
    const next = await claim(store, 'parked');
    expect(next.map((j) => j.concurrencyKey)).toEqual(['k7']);
    expect(pops.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('holds a key limit across two store instances; a slot freed by the other is seen', async () => {
    const root = newRoot();
    const a = await openStore(root);
    const b = await openStore(root);
    await a.insertMany(Array.from({ length: 6 }, () => keyed('shared', 'tenant', 2)));
    const fromA = await claim(a, 'shared', { limit: 1 });
    const fromB = await claim(b, 'shared');
    expect(fromA).toHaveLength(1);
    expect(fromB).toHaveLength(1);
    expect(await claim(a, 'shared')).toEqual([]);
    expect(await claim(b, 'shared')).toEqual([]);
    await complete(a, fromA);
    const again = await claim(b, 'shared');
    expect(again).toHaveLength(1);
    expect(await claim(a, 'shared')).toEqual([]);
    // Removal of a running job frees its slot too.
    expect(await b.delete(again[0]!.id)).toBe(true);
    expect(await claim(a, 'shared')).toHaveLength(1);
  });

  it('caps running jobs per name with nameLimits, across instances', async () => {
    const root = newRoot();
    const a = await openStore(root);
    const b = await openStore(root);
    await a.insertMany(Array.from({ length: 10 }, () => newJob('capped')));
    const nameLimits = { capped: 3 };
    const first = await claim(a, 'capped', { limit: 2, nameLimits });
    expect(first).toHaveLength(2);
    expect(await claim(b, 'capped', { nameLimits })).toHaveLength(1);
    expect(await claim(a, 'capped', { nameLimits })).toEqual([]);
    await complete(a, first);
    expect(await claim(b, 'capped', { nameLimits })).toHaveLength(2);
    // Without the cap, the rest are free to go.
    expect(await claim(a, 'capped')).toHaveLength(5);
  });

  it('keeps rate windows in rates.json across instances and reopen; moves runAt of a deferred job', async () => {
    const root = newRoot();
    const clock = new FakeClock(Date.now());
    const a = await openStore(root, { clock });
    const b = await openStore(root, { clock });
    const rateLimit = { key: 'api', max: 2, perMs: 1_000 };
    const jobs = Array.from({ length: 4 }, () => newJob('rated', { rateLimit } as Partial<NewJob>));
    await a.insertMany(jobs);
    expect(await claim(a, 'rated', { limit: 1 })).toHaveLength(1);
    expect(await claim(b, 'rated')).toHaveLength(1);
    expect(await claim(a, 'rated')).toEqual([]);
    const deferred = (await a.query({ names: ['rated'], statuses: ['scheduled'] })).items;
    expect(deferred).toHaveLength(2);
    for (const job of deferred) {
      expect(job.runAt).toBe(clock.now() + 1_000);
      expect(job.version).toBe(2);
    }
    expect(existsSync(join(root, 'rates.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'rates.json'), 'utf8')).api.starts).toHaveLength(2);

    await a.close();
    await b.close();
    const c = await openStore(root, { clock });
    await c.update(deferred[0]!.id, 2, { runAt: clock.now() });
    expect(await claim(c, 'rated')).toEqual([]); // still over the window after reopening
    clock.advance(1_000);
    expect(await claim(c, 'rated')).toHaveLength(2);
  });
});
