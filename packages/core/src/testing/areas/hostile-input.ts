import { hasErrorCode } from '../../errors.js';
import { INPUT_LIMITS } from '../../model/input-limits.js';
import type { KitContext, KitHarness } from '../kit-context.js';
import { uniqueName } from '../kit-context.js';

const HOSTILE_TEXT = [
  '../../etc/passwd',
  '..\\..\\windows\\system32',
  '/absolute/path',
  'C:\\absolute',
  '%2e%2e%2f%2e%2e',
  "quote' OR '1'='1; DROP TABLE jobs; --",
  '"double" `back` $dollar {brace}',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'x'.repeat(10_000),
  'ünïcödé 🚀 日本',
  '.',
  '..',
  ' ',
];

/** How a hostile call ended: a typed error (its code and field), or a stored job. */
type Outcome = { error: string; field?: string } | { id: string };

async function attempt(call: () => Promise<{ id: string }>): Promise<Outcome> {
  try {
    return { id: (await call()).id };
  } catch (error) {
    if (!hasErrorCode(error, 'INVALID_INPUT') && !hasErrorCode(error, 'NOT_FOUND')) throw error;
    return { error: (error as { code: string }).code, field: (error as { field?: string }).field };
  }
}

async function countJobs(h: KitHarness, name: string): Promise<number> {
  return (await h.store.query({ names: [name], limit: 10_000 })).items.length;
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
}

/**
 * Hostile input is refused the same way on every store: a typed error
 * naming the field, nothing written, no prototype polluted, no crash or
 * hang; what is accepted round-trips exactly.
 */
export function hostileInputArea({ test, it, open, manager }: KitContext): void {
  const { expect } = test;

  it('refuses hostile callback names with an error naming the field, writing nothing', async () => {
    const h = await open();
    const m = manager(h);
    for (const name of [...HOSTILE_TEXT, '', 'jobservice:schedule']) {
      const outcome = await attempt(() => m.enqueue(name, {}));
      expect(outcome).toMatchObject({ error: 'INVALID_INPUT', field: 'name' });
    }
    expect((await h.store.query({ limit: 10 })).items).toEqual([]);
  });

  it('keeps a hostile idempotency key exactly, or refuses it naming options.key; one job per key', async () => {
    const h = await open();
    const name = uniqueName('hostile-key');
    const m = manager(h);
    let stored = 0;
    for (const [n, key] of HOSTILE_TEXT.entries()) {
      const first = await attempt(() => m.enqueue(name, { n }, { key }));
      if ('error' in first) {
        expect(first).toMatchObject({ error: 'INVALID_INPUT', field: 'options.key' });
        continue;
      }
      stored++;
      expect(await m.enqueue(name, {}, { key })).toMatchObject({ id: first.id, created: false });
      expect(await h.store.get(first.id)).toMatchObject({ key, metadata: { n } });
    }
    expect(await countJobs(h, name)).toBe(stored);
    // What every store must refuse: NUL, lone surrogates and keys past the limit.
    for (const key of [
      'nul\u0000byte',
      'lone \ud800 surrogate',
      'k'.repeat(INPUT_LIMITS.keyLength + 1),
      '',
    ]) {
      expect(await attempt(() => m.enqueue(name, {}, { key }))).toMatchObject({ field: 'options.key' });
    }
  });

  it('answers hostile job ids with null or a typed error, never a crash', async () => {
    const h = await open();
    const m = manager(h);
    for (const id of HOSTILE_TEXT) {
      expect(await m.get(id).catch((e: unknown) => (hasErrorCode(e, 'INVALID_INPUT') ? null : e))).toBeNull();
      const cancelled = await m.cancel(id).then(
        () => 'no error',
        (e: unknown) => (hasErrorCode(e, 'NOT_FOUND') || hasErrorCode(e, 'INVALID_INPUT') ? 'typed' : e),
      );
      expect(cancelled).toBe('typed');
    }
  });

  it('refuses metadata that is not storable JSON, naming its path, writing nothing', async () => {
    const h = await open();
    const name = uniqueName('hostile-meta');
    const m = manager(h);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const bad: Array<[string, unknown]> = [
      ['cycle', cycle],
      ['date', { when: new Date() }],
      ['bigint', { n: 10n }],
      ['function', { f: () => 1 }],
      ['undefined in array', { list: [1, undefined] }],
      ['NaN', { n: Number.NaN }],
      ['map', { m: new Map() }],
      ['lone surrogate', { s: 'a\udc00b' }],
      ['lone surrogate key', { 'k\ud800': 1 }],
      ['NUL', { s: 'a\u0000b' }],
      ['deep', deep(10_000)],
      ['too deep by one', deep(INPUT_LIMITS.metadataDepth + 1)],
      ['too large', { blob: 'x'.repeat(INPUT_LIMITS.metadataBytes) }],
    ];
    for (const [label, metadata] of bad) {
      const outcome = await attempt(() => m.enqueue(name, metadata as never));
      expect({ label, outcome }).toMatchObject({
        label,
        outcome: { error: 'INVALID_INPUT', field: 'metadata' },
      });
    }
    expect(await countJobs(h, name)).toBe(0);
  });

  it('round-trips awkward but valid metadata exactly, and pollutes no prototype', async () => {
    const h = await open();
    const name = uniqueName('awkward-meta');
    const m = manager(h);
    const polluting = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"bad": 1}}}',
    );
    const good: unknown[] = [
      polluting,
      { text: HOSTILE_TEXT.filter((t) => !t.includes('\u0000') && !t.includes('\ud800')) },
      { emoji: '🚀', pair: '\ud83d\ude80', big: 2 ** 53 - 1, negative: -0.5, empty: {}, list: [] },
      deep(INPUT_LIMITS.metadataDepth - 1),
      { blob: 'y'.repeat(200_000) },
      ['an', 'array', 1, null, true],
      'a plain string',
      42,
      null,
    ];
    for (const metadata of good) {
      const { id } = await m.enqueue(name, metadata as never);
      const stored = await h.store.get(id);
      expect(JSON.stringify(stored!.metadata)).toBe(JSON.stringify(metadata));
    }
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
    expect(({} as Record<string, unknown>).bad).toBe(undefined);
    expect(await countJobs(h, name)).toBe(good.length);
  });

  it('refuses due times and limits out of range, naming the option, writing nothing', async () => {
    const h = await open();
    const name = uniqueName('hostile-time');
    const m = manager(h);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ delayMs: 1e20 }, 'options.delayMs'],
      [{ delayMs: -1 }, 'options.delayMs'],
      [{ delayMs: Number.POSITIVE_INFINITY }, 'options.delayMs'],
      [{ runAt: new Date(8.64e15) }, 'options.runAt'],
      [{ runAt: new Date(Number.NaN) }, 'options.runAt'],
      [{ runAt: 1e300 }, 'options.runAt'],
      [{ timeoutMs: 1e20 }, 'options.timeoutMs'],
      [{ priority: 2 ** 40 }, 'options.priority'],
      [{ maxAttempts: 0 }, 'options.maxAttempts'],
    ];
    for (const [options, field] of bad) {
      const outcome = await attempt(() => m.enqueue(name, {}, options));
      expect({ options, outcome }).toMatchObject({ options, outcome: { error: 'INVALID_INPUT', field } });
    }
    expect(await countJobs(h, name)).toBe(0);
  });
}
