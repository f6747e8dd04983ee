import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JobDocument, silentLogger } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider } from '../src/index.js';
import { counterContent } from './fixtures/crash-content.js';
import { type Child, killChild, startChild } from './helpers/child.js';
import { sleep } from './helpers/proc.js';
import { tempRoot } from './helpers/temp-root.js';

const KILLS = 50;
const LANES = 2;
const COUNTERS = Array.from(
  { length: 12 },
  (_, i) => `01900000-0000-7000-8000-0000000000${String(i).padStart(2, '0')}`,
);

interface Acks {
  updated: Map<string, number>;
  inserted: Map<string, string>;
  settled: Set<string>;
}

function readAcks(file: string): Acks {
  const acks: Acks = { updated: new Map(), inserted: new Map(), settled: new Set() };
  if (!existsSync(file)) return acks;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [kind, id, extra] = line.split(' ');
    if (!id) continue;
    if (kind === 'u') acks.updated.set(id, Math.max(acks.updated.get(id) ?? 0, Number(extra)));
    if (kind === 'i') acks.inserted.set(id, extra as string);
    if (kind === 's') acks.settled.add(id);
  }
  return acks;
}

async function allJobs(store: FileSystemDocumentProvider): Promise<JobDocument[]> {
  const jobs: JobDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.query({ limit: 100, cursor });
    jobs.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return jobs;
}

describe('crash consistency', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(`keeps every commit whole through ${KILLS} SIGKILLs of writers (also mid write-back), and sweeps their temp files`, async () => {
    const dir = tempRoot();
    cleanups.push(() => dir.remove());
    const root = join(dir.path, 'store');
    const ackFile = join(dir.path, 'acks.txt');
    const setup = await FileSystemDocumentProvider.open({ root, logger: silentLogger });
    for (const id of COUNTERS) {
      await setup.insert({
        id,
        name: 'counter',
        metadata: counterContent(id, 1),
        priority: 0,
        maxAttempts: 1,
        backoff: { type: 'fixed', delayMs: 0 },
        timeoutMs: null,
        key: null,
      });
    }
    await setup.close();

    let kills = 0;
    const lane = async () => {
      while (kills < KILLS) {
        kills++;
        const child: Child = startChild('crash-writer.ts', [root, ackFile, COUNTERS.join(',')]);
        cleanups.push(() => killChild(child));
        await child.line(/^ready$/, 60_000);
        await sleep(20 + Math.random() * 150);
        await killChild(child);
        const exit = await child.exited;
        expect(exit.signal, child.stderr()).toBe('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));

    // Every file in jobs/ parses, even before anyone reopens the store.
    const jobsDir = join(root, 'jobs');
    for (const file of readdirSync(jobsDir).filter((f) => f.endsWith('.json'))) {
      expect(() => JSON.parse(readFileSync(join(jobsDir, file), 'utf8')), file).not.toThrow();
    }

    const errors: string[] = [];
    const logger = { ...silentLogger, error: (message: string) => errors.push(message) };
    const store = await FileSystemDocumentProvider.open({ root, logger });
    cleanups.push(() => store.close());
    const acks = readAcks(ackFile);
    expect(acks.updated.size + acks.inserted.size).toBeGreaterThan(0);

    // Counters: whole, at a version that was written, never behind an acknowledged one.
    for (const id of COUNTERS) {
      const doc = await store.get(id);
      expect(doc, id).not.toBeNull();
      expect(doc?.metadata).toEqual(counterContent(id, doc?.version as number));
      expect(doc?.version).toBeGreaterThanOrEqual(acks.updated.get(id) ?? 1);
    }
    // Acknowledged inserts and settles survived; keys point at their jobs.
    for (const [id, key] of acks.inserted) {
      const doc = await store.get(id);
      expect(doc?.key, id).toBe(key);
      expect((await store.query({ key })).items.map((j) => j.id)).toEqual([id]);
    }
    for (const id of acks.settled) expect((await store.get(id))?.status, id).toBe('completed');

    // The index agrees with the documents; written back, every job has its file at that version.
    const indexed = await allJobs(store);
    for (const job of indexed) expect((await store.get(job.id))?.version).toBe(job.version);
    await store.checkpoint();
    const files = readdirSync(jobsDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(indexed.length);
    for (const job of indexed) {
      const file = JSON.parse(readFileSync(join(jobsDir, `${job.id}.json`), 'utf8')) as JobDocument;
      expect(file.version, job.id).toBe(job.version);
    }

    // No dead owner's temp file survived the open; nothing was quarantined.
    for (const folder of ['jobs', 'keys', 'index', 'locks', '.']) {
      const stray = readdirSync(join(root, folder)).filter(
        (f) => f.startsWith('~') && !f.startsWith(`~${process.pid}.`),
      );
      expect(stray, folder).toEqual([]);
    }
    expect(readdirSync(join(root, 'corrupt'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
