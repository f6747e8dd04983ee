import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobChange } from '@jobservice/core';
import { eventually, FakeClock } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import { selfIdentity } from '../src/process/process-identity.js';
import { deadTag, earlierBootTag, job, newestLog, recordingLogger } from './helpers/fixtures.js';
import { storeOpener, tempRootsPerTest } from './helpers/temp-root.js';

describe('recovery and upkeep of the fs store', () => {
  const { cleanups, newRoot } = tempRootsPerTest('store');
  const open = storeOpener(cleanups);

  it('quarantines a corrupt document to corrupt/, logging the file, never crashing', async () => {
    const root = newRoot();
    const logger = recordingLogger();
    const store = await open(root, { logger });
    const good = job();
    const bad = job({ key: 'bad-key' });
    await store.insertMany([good, bad]);
    await store.checkpoint(); // documents written back from the log: now the files are read
    const path = join(root, 'jobs', `${bad.id}.json`);
    writeFileSync(path, '{"id": "torn');
    expect(await store.get(bad.id)).toBeNull();
    expect(existsSync(path)).toBe(false);
    const [moved] = readdirSync(join(root, 'corrupt'));
    expect(moved).toMatch(new RegExp(`^${bad.id}\\.json\\.\\d+$`));
    expect(readFileSync(join(root, 'corrupt', moved as string), 'utf8')).toBe('{"id": "torn');
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: expect.stringContaining(`corrupt job document ${path} (not valid JSON`),
    });
    expect((await store.query({})).items.map((j) => j.id)).toEqual([good.id]);
    expect(await store.claim({ names: ['work'], limit: 5, workerId: 'w', leaseMs: 1_000 })).toHaveLength(1);
    expect(await store.insert(job({ key: 'bad-key' }))).toMatchObject({ created: true });
  });

  it('skips a corrupt document while claiming, and quarantines it', async () => {
    const root = newRoot();
    const logger = recordingLogger();
    const store = await open(root, { logger });
    const [a, b] = [job({ priority: 5 }), job()];
    await store.insertMany([a, b]);
    await store.checkpoint();
    writeFileSync(join(root, 'jobs', `${a.id}.json`), '[]');
    const claimed = await store.claim({ names: ['work'], limit: 5, workerId: 'w', leaseMs: 1_000 });
    expect(claimed.map((j) => j.id)).toEqual([b.id]);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(readdirSync(join(root, 'corrupt'))).toHaveLength(1);
  });

  it("sweeps a dead owner's temp files on open and never a live process's", async () => {
    const root = newRoot();
    (await open(root)).close();
    const deadOwner = join(root, 'locks', `~${deadTag(2)}.owner`);
    const dead = join(root, 'jobs', `~${deadTag(3)}.tmp`);
    const deadKey = join(root, 'keys', `~${deadTag(4)}.tmp`);
    const me = selfIdentity();
    const live = join(root, 'jobs', `~${me.pid}.${me.start}.${me.boot}.${me.ns}.999999.tmp`);
    for (const path of [deadOwner, dead, deadKey, live]) writeFileSync(path, '{}');
    await open(root);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(deadKey)).toBe(false);
    expect(existsSync(deadOwner)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it("takes over a dead holder's lock (never a live one's) and finishes its half-done commit", async () => {
    const root = newRoot();
    const first = await open(root);
    const target = job();
    await first.insert(target);
    const doc = (await first.get(target.id))!;
    const dead = deadTag(7);
    const temp = `~${deadTag(42)}.tmp`;
    writeFileSync(join(root, 'jobs', temp), JSON.stringify({ ...doc, priority: 9, version: 2 }));
    const entry = {
      i: doc.id,
      v: 2,
      s: 'scheduled',
      n: doc.name,
      p: 9,
      r: doc.runAt,
      l: null,
      k: null,
      f: null,
      c: null,
      q: 0,
      t: temp,
    };
    appendFileSync(newestLog(root), `${JSON.stringify({ o: dead, e: [entry] })}\n`);
    writeFileSync(join(root, 'locks', 'store.lock'), dead);

    const second = await open(root);
    expect(await second.get(doc.id)).toMatchObject({ version: 2, priority: 9 });
    expect(existsSync(join(root, 'jobs', temp))).toBe(false);
    expect(existsSync(join(root, 'locks', 'store.lock'))).toBe(false);
    expect((await first.query({})).items.map((j) => j.version)).toEqual([2]);
    expect(await first.update(doc.id, 2, { priority: 1 })).toMatchObject({ version: 3, priority: 1 });
    expect((await second.query({})).items.map((j) => j.version)).toEqual([3]);
  });

  it('cuts a torn index line left by a writer killed mid-append', async () => {
    const root = newRoot();
    const first = await open(root);
    await first.insert(job());
    appendFileSync(newestLog(root), `{"o":"${deadTag(8)}","e":[{"i":"x","v":`);
    writeFileSync(join(root, 'locks', 'store.lock'), deadTag(8));
    await first.insert(job());
    const logger = recordingLogger();
    const fresh = await open(root, { logger });
    expect((await fresh.query({})).items).toHaveLength(2);
    expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('rebuilds the index from the documents when the log is gone or damaged', async () => {
    const root = newRoot();
    const store = await open(root);
    const jobs = [job({ key: 'k1' }), job(), job()];
    await store.insertMany(jobs);
    expect(await store.checkpoint()).toBe(3); // deleting index/ by hand is safe only after this
    await store.close();
    rmSync(join(root, 'index'), { recursive: true });
    const logger = recordingLogger();
    const rebuilt = await open(root, { logger });
    expect((await rebuilt.query({})).items.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect((await rebuilt.query({ key: 'k1' })).items.map((j) => j.id)).toEqual([jobs[0]!.id]);
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/rebuilt the index .* from 3 document/),
    });

    appendFileSync(newestLog(root), 'not json at all\n');
    await rebuilt.insert(job());
    expect(logger.lines).toContainEqual({ level: 'warn', message: expect.stringMatching(/damaged line/) });
    expect((await rebuilt.query({})).items).toHaveLength(4);
  });

  it('rebuilds the index after the machine restarted with the store open', async () => {
    const root = newRoot();
    const store = await open(root);
    await store.insert(job());
    await store.close();
    writeFileSync(join(root, 'locks', `~${earlierBootTag()}.owner`), 'x');
    const logger = recordingLogger();
    await open(root, { logger });
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/machine restarted/),
    });
    expect(readdirSync(join(root, 'locks')).filter((f) => f.includes('000000000000'))).toEqual([]);
  });

  it('compacts the index log into a new generation that every process follows', async () => {
    const root = newRoot();
    const writer = await open(root, { compactBytes: 20_000 });
    const reader = await open(root);
    const jobs = Array.from({ length: 20 }, () => job());
    await writer.insertMany(jobs);
    for (let round = 0; round < 30; round++) {
      for (const j of jobs.slice(0, 5)) {
        const doc = (await writer.get(j.id))!;
        await writer.update(j.id, doc.version, { priority: round });
      }
      if (round === 10) await writer.delete(jobs[19]!.id);
    }
    const gens = readdirSync(join(root, 'index')).filter((f) => f.startsWith('log.'));
    expect(gens).toHaveLength(1);
    expect(Number(gens[0]!.slice(4))).toBeGreaterThan(1);
    const seen = (await reader.query({ order: 'claim', limit: 100 })).items;
    expect(seen).toHaveLength(19);
    expect(seen.slice(0, 5).map((j) => j.priority)).toEqual([29, 29, 29, 29, 29]);
    const late = await open(root);
    expect((await late.query({ statuses: ['scheduled'] })).items).toHaveLength(19);
  });

  it("reports other handles' status changes and cancel requests through watch", async () => {
    const root = newRoot();
    const clock = new FakeClock(Date.now());
    const a = await open(root, { clock });
    const b = await open(root, { clock });
    const changes: JobChange[] = [];
    const unwatch = await b.watch((change) => changes.push(change));
    const target = job();
    await a.insert(target);
    const [claimed] = await a.claim({ names: ['work'], limit: 1, workerId: 'w', leaseMs: 10_000 });
    await a.update(target.id, claimed!.version, { cancelRequested: true });
    await eventually(() => changes.length >= 3, 5_000, 'three changes');
    expect(changes).toEqual([
      { id: target.id, status: 'scheduled', cancelRequested: false },
      { id: target.id, status: 'running', cancelRequested: false },
      { id: target.id, status: 'running', cancelRequested: true },
    ]);
    await unwatch();
  });

  it('works the same with full durability (fsync on every change)', async () => {
    const root = newRoot();
    const store = await open(root, { durability: 'full' });
    const jobs = [job({ key: 'durable' }), job(), job()];
    expect((await store.insertMany(jobs)).every((r) => r.created)).toBe(true);
    const claimed = await store.claim({ names: ['work'], limit: 3, workerId: 'w', leaseMs: 10_000 });
    const settled = await store.settle(
      claimed.map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'completed' as const, result: 1 })),
    );
    expect(settled.every((r) => r.ok)).toBe(true);
    expect(await store.delete(jobs[2]!.id)).toBe(true);
    await store.close();
    const again = await open(root, { durability: 'full' });
    expect((await again.query({ statuses: ['completed'] })).items).toHaveLength(2);
  });

  it('waits for a live holder, and gives up after lockTimeoutMs naming its pid', async () => {
    const root = newRoot();
    const store = await open(root, { lockTimeoutMs: 300 });
    const me = selfIdentity();
    writeFileSync(join(root, 'locks', 'store.lock'), `${me.pid}.${me.start}.${me.boot}.${me.ns}.999`);
    await expect(store.insert(job())).rejects.toMatchObject({
      code: 'PROVIDER_FAILURE',
      message: expect.stringMatching(
        new RegExp(`timed out after 300 ms waiting for lock .*held by live process ${me.pid}`),
      ),
    });
    rmSync(join(root, 'locks', 'store.lock'));
    expect(await store.insert(job())).toMatchObject({ created: true });
  });
});
