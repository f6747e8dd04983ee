import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@jobservice/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemDocumentProvider } from '../src/index.js';
import { encodeSegment } from '../src/naming/encode-segment.js';
import { tempRoot } from './helpers/temp-root.js';

const HOSTILE = [
  '../x',
  '/abs',
  '..\\x',
  'C:\\x',
  '.',
  '..',
  'a\u0000b',
  '\u0000',
  '%2e%2e',
  '%2e%2e%2fetc%2fpasswd',
  'x'.repeat(4096),
  'é'.repeat(2048),
  'CON',
  'con',
  'nul',
  'A',
  'a',
  ' ',
  'a/b',
  'a\\b',
  '~1.2.3.4.tmp',
  'x_41',
  'h_00',
  'format.json',
];
const SAFE_SEGMENT = /^[0-9a-z][0-9a-z_-]*$/;

/** Any identifier: hostile samples, path-like strings and arbitrary (well-formed) Unicode. */
const identifier = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ minLength: 1, maxLength: 64 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
  fc
    .array(fc.constantFrom('..', '.', '/', '\\', 'C:', '%2e', '\u0000', 'a', 'Z'), {
      minLength: 1,
      maxLength: 12,
    })
    .map((p) => p.join('')),
  fc.string({ minLength: 150, maxLength: 5000 }),
);

function wellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

describe('path safety of ids and keys', () => {
  it('maps every identifier to one short, lowercase, plain file-name segment', () => {
    fc.assert(
      fc.property(identifier.filter(wellFormed), (value) => {
        const segment = encodeSegment(value, 'key');
        expect(segment).toMatch(SAFE_SEGMENT);
        expect(segment.length).toBeLessThanOrEqual(202);
        expect(segment).toBe(segment.toLowerCase());
        expect(segment).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never maps two distinct identifiers to one segment (case-insensitively either)', () => {
    fc.assert(
      fc.property(identifier.filter(wellFormed), identifier.filter(wellFormed), (a, b) => {
        fc.pre(a !== b);
        expect(encodeSegment(a, 'key').toLowerCase()).not.toBe(encodeSegment(b, 'key').toLowerCase());
      }),
      { numRuns: 2_000 },
    );
    const segments = new Set(HOSTILE.map((h) => encodeSegment(h, 'key')));
    expect(segments.size).toBe(new Set(HOSTILE).size);
  });

  it('rejects what has no file name with a clear InvalidInputError', () => {
    for (const bad of ['', '\ud800', 'a\udc00b', 42, null, undefined, {}]) {
      expect(() => encodeSegment(bad, 'key')).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'key' }),
      );
    }
  });

  describe('through the store', () => {
    let dir: ReturnType<typeof tempRoot>;
    let store: FileSystemDocumentProvider;
    beforeAll(async () => {
      dir = tempRoot();
      store = await FileSystemDocumentProvider.open({
        root: join(dir.path, 'store'),
        durability: 'relaxed',
        logger: silentLogger,
      });
    });
    afterAll(async () => {
      await store.close();
      dir.remove();
    });

    it('keeps hostile ids and keys inside jobs/ and keys/, and finds them again', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(identifier.filter(wellFormed), identifier.filter(wellFormed), async (id, key) => {
          n++;
          const jobId = `${id}#${n}`;
          const jobKey = `${key}#${n}`;
          const job = {
            id: jobId,
            name: 'hostile',
            metadata: { n },
            priority: 0,
            maxAttempts: 1,
            backoff: { type: 'fixed' as const, delayMs: 0 },
            timeoutMs: null,
            key: jobKey,
          };
          expect(await store.insert(job)).toEqual({ id: jobId, created: true });
          expect((await store.get(jobId))?.id).toBe(jobId);
          expect((await store.query({ key: jobKey })).items.map((j) => j.id)).toEqual([jobId]);
          expect(await store.insert({ ...job, id: `${jobId}!` })).toEqual({ id: jobId, created: false });
        }),
        { numRuns: 300 },
      );
      expect(await store.checkpoint()).toBe(n); // the documents, written back from the log to jobs/
      const root = join(dir.path, 'store');
      expect(readdirSync(dir.path)).toEqual(['store']);
      expect(readdirSync(root).sort()).toEqual(['corrupt', 'format.json', 'index', 'jobs', 'keys', 'locks']);
      expect(readdirSync(join(root, 'jobs')).filter((f) => !f.startsWith('~'))).toHaveLength(n);
      expect(readdirSync(join(root, 'keys'))).toHaveLength(n);
      for (const file of readdirSync(join(root, 'jobs'))) expect(file).toMatch(/^[0-9a-z_-]+\.json$/);
    });

    it('rejects an empty id or key at the call, naming the field, and writes nothing', async () => {
      const base = {
        name: 'hostile',
        metadata: {},
        priority: 0,
        maxAttempts: 1,
        backoff: { type: 'fixed' as const, delayMs: 0 },
        timeoutMs: null,
      };
      await expect(store.insert({ ...base, id: '', key: null })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'job.id',
      });
      await expect(store.insert({ ...base, id: 'ok-id', key: '' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'job.key',
      });
      await expect(store.get('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(await store.get('ok-id')).toBeNull();
    });
  });
});
