import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobDocument } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import { entryOf } from '../src/index/index-entry.js';
import { encodeCommit } from '../src/index/log-format.js';
import { deadTag, job, newestLog, recordingLogger } from './helpers/fixtures.js';
import { storeOpener, tempRootsPerTest } from './helpers/temp-root.js';

/** A commit as a dead process would have appended it: each document's body, then the commit line. */
function commitOf(owner: string, docs: JobDocument[]): Buffer {
  return encodeCommit({
    owner,
    records: docs.map((doc) => ({ record: entryOf(doc), body: JSON.stringify(doc) })),
  }).buf;
}

describe('the index log as redo log', () => {
  const { cleanups, newRoot } = tempRootsPerTest('store');
  const open = storeOpener(cleanups);
  const fileOf = (root: string, id: string) => join(root, 'jobs', `${id}.json`);

  it("applies a dead holder's whole commit and cuts its torn one: a batch is all or nothing", async () => {
    const root = newRoot();
    const first = await open(root);
    const [a, b, c] = [job(), job(), job()];
    await first.insertMany([a, b, c]);
    const docs = (await first.query({})).items;
    const bump = (doc: JobDocument, priority: number) => ({ ...doc, version: doc.version + 1, priority });
    const dead = deadTag(11);
    const whole = commitOf(dead, [bump(docs[0]!, 7)]);
    const torn = commitOf(dead, [bump(docs[1]!, 8), bump(docs[2]!, 8)]);
    appendFileSync(newestLog(root), whole);
    appendFileSync(newestLog(root), torn.subarray(0, torn.length - 5)); // killed before the commit line's end
    writeFileSync(join(root, 'locks', 'store.lock'), dead);
    const sizeBefore = statSync(newestLog(root)).size;

    const second = await open(root);
    const seen = (await second.query({})).items.map((j) => [j.version, j.priority]);
    expect(seen).toEqual([
      [2, 7],
      [1, 0],
      [1, 0],
    ]);
    expect(statSync(newestLog(root)).size).toBe(sizeBefore - (torn.length - 5));
    expect((await first.query({})).items.map((j) => j.version)).toEqual([2, 1, 1]);
    expect(await first.update(a.id, 2, { priority: 1 })).toMatchObject({ version: 3, priority: 1 });
    expect(await second.get(a.id)).toMatchObject({ version: 3, priority: 1 });
  });

  it('keeps reading the log while a write-back left files behind it (killed before its line)', async () => {
    const root = newRoot();
    const store = await open(root);
    const [a, b] = [job(), job()];
    await store.insertMany([a, b]);
    const v1 = (await store.get(a.id))!;
    await store.update(a.id, 1, { priority: 5 });
    const v2b = await store.update(b.id, 1, { priority: 6 });
    // A write-back that renamed an older document (a) and the current one (b), then died.
    writeFileSync(fileOf(root, a.id), JSON.stringify(v1));
    writeFileSync(fileOf(root, b.id), JSON.stringify(v2b));
    const reopened = await open(root);
    expect(await reopened.get(a.id)).toMatchObject({ version: 2, priority: 5 });
    expect(await reopened.get(b.id)).toMatchObject({ version: 2, priority: 6 });
    expect(await reopened.checkpoint()).toBe(2);
    expect(JSON.parse(readFileSync(fileOf(root, a.id), 'utf8'))).toMatchObject({ version: 2, priority: 5 });
    expect(await reopened.checkpoint()).toBe(0);
    // Written back, the documents are read from their files, by every process.
    writeFileSync(fileOf(root, b.id), JSON.stringify({ ...v2b, metadata: { edited: true } }));
    expect((await store.get(b.id))?.metadata).toEqual({ edited: true });
  });

  it('carries documents not yet written back through compactions, and drops them once written back', async () => {
    const root = newRoot();
    const writer = await open(root, { compactBytes: 20_000 });
    const jobs = Array.from({ length: 30 }, () => job());
    await writer.insertMany(jobs);
    for (let round = 1; round <= 20; round++) {
      for (const j of jobs.slice(0, 5)) await writer.update(j.id, round, { priority: round });
    }
    const gens = () => readdirSync(join(root, 'index')).filter((f) => f.startsWith('log.'));
    expect(Number(gens()[0]!.slice(4))).toBeGreaterThan(1);
    expect(readdirSync(join(root, 'jobs')).filter((f) => !f.startsWith('~'))).toEqual([]);
    const late = await open(root);
    const all = (await late.query({ limit: 100 })).items;
    expect(all).toHaveLength(30);
    expect(all.slice(0, 5).map((j) => j.version)).toEqual([21, 21, 21, 21, 21]);

    expect(await writer.checkpoint()).toBe(30);
    for (let round = 21; round <= 60; round++) await writer.update(jobs[0]!.id, round, { priority: round });
    const bodies = readFileSync(newestLog(root), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('D'));
    expect(bodies.length).toBeLessThan(40); // the snapshot carried no written-back document
    expect((await late.get(jobs[0]!.id))?.version).toBe(61);
    expect((await late.get(jobs[1]!.id))?.version).toBe(21);
  });

  it('keeps what the log held before a damaged line when it rebuilds', async () => {
    const root = newRoot();
    const logger = recordingLogger();
    const store = await open(root, { logger });
    const [a, b] = [job({ key: 'kept' }), job()];
    await store.insertMany([a, b]);
    await store.update(a.id, 1, { priority: 3 });
    appendFileSync(newestLog(root), 'not json at all\n');
    await store.insert(job());
    expect(logger.lines).toContainEqual({ level: 'warn', message: expect.stringMatching(/damaged line/) });
    const fresh = await open(root);
    expect(await fresh.get(a.id)).toMatchObject({ version: 2, priority: 3 });
    expect((await fresh.query({ key: 'kept' })).items.map((j) => j.id)).toEqual([a.id]);
    expect((await fresh.query({})).items).toHaveLength(3);
  });

  it('writes documents back in the background once a process is quiet', async () => {
    const root = newRoot();
    const store = await open(root, { writeBackIntervalMs: 20 });
    const jobs = [job(), job(), job()];
    await store.insertMany(jobs);
    await eventually(
      () => jobs.every((j) => existsSync(fileOf(root, j.id))),
      5_000,
      'the documents written back to jobs/',
    );
    for (const j of jobs) {
      expect(JSON.parse(readFileSync(fileOf(root, j.id), 'utf8'))).toMatchObject({ id: j.id, version: 1 });
    }
  });

  it('with full durability, survives a reopen with documents only in the log', async () => {
    const root = newRoot();
    const store = await open(root, { durability: 'full' });
    const jobs = [job({ key: 'd1' }), job(), job()];
    await store.insertMany(jobs);
    const claimed = await store.claim({ names: ['work'], limit: 2, workerId: 'w', leaseMs: 10_000 });
    await store.settle(
      claimed.map((j) => ({
        id: j.id,
        leaseToken: j.leaseToken,
        outcome: 'completed' as const,
        result: null,
      })),
    );
    await store.close();
    const again = await open(root, { durability: 'full' });
    expect((await again.query({ statuses: ['completed'] })).items).toHaveLength(2);
    expect((await again.query({ key: 'd1' })).items).toHaveLength(1);
  });
});
