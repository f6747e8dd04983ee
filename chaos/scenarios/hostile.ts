/**
 * Scenario 8, hostile input through JobManager and the store, on every
 * provider (memory, fs, PostgreSQL): each case must give a typed error (a
 * JobServiceError with a code) or be stored and read back unchanged, with
 * nothing half-written, no prototype polluted, and no crash or hang.
 */
import { isDeepStrictEqual } from 'node:util';
import { type IDocumentDataProvider, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { RowSink } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';
import { countByStatus, openRun, type RunStore } from '../lib/stores.js';
import { TIMED_OUT, withTimeout } from '../lib/util.js';

const CALL_TIMEOUT_MS = 20_000;

const STRINGS: Record<string, string> = {
  'dot-dot slash': '../../etc/passwd',
  'dot-dot backslash': '..\\..\\windows\\win.ini',
  'absolute path': '/etc/passwd',
  NUL: 'a\u0000b',
  '%2e%2e': '%2e%2e%2f%2e%2e',
  '10 KB': 'k'.repeat(10_240),
  'quotes and ;': `a'; DROP TABLE jobs; --"`,
};

function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  return a;
}

const METADATA: Record<string, () => unknown> = {
  '__proto__ key': () => JSON.parse('{"__proto__":{"polluted":"yes"},"a":1}'),
  'constructor.prototype': () => ({ constructor: { prototype: { polluted: 'yes' } } }),
  cycle: cyclic,
  Date: () => ({ when: new Date() }),
  BigInt: () => ({ n: 10n }),
  'undefined in array': () => ({ list: [1, undefined, 3] }),
  function: () => ({ fn: () => 1 }),
  NaN: () => ({ n: Number.NaN }),
  'NUL in string': () => ({ note: 'a\u0000b' }),
  'lone surrogate': () => ({ s: '\ud800' }),
  '8 MB string': () => ({ blob: 'x'.repeat(8 * 1024 * 1024) }),
  'depth 10,000': () => deep(10_000),
};

type Outcome = { text: string; pass: boolean };

function typed(error: unknown): string | null {
  const e = error as { code?: unknown; field?: unknown; name?: unknown };
  if (error instanceof Error && typeof e.code === 'string' && typeof e.name === 'string') {
    return `typed ${e.code}${typeof e.field === 'string' ? ` (${e.field.slice(0, 30)})` : ''}`;
  }
  return null;
}

const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
function polluted(): boolean {
  return (
    !isDeepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoNames) ||
    ({} as Record<string, unknown>).polluted !== undefined
  );
}

async function total(store: IDocumentDataProvider): Promise<number> {
  const c = await countByStatus(store);
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** Runs one case: `call` returns the stored job's id, or throws; `check` says whether it read back unchanged. */
async function probe(
  store: IDocumentDataProvider,
  call: () => Promise<string | null>,
  check: (id: string) => Promise<string | null>,
): Promise<Outcome> {
  const before = await total(store);
  let outcome: Outcome;
  try {
    const result = await withTimeout(call(), CALL_TIMEOUT_MS);
    if (result === TIMED_OUT)
      return { text: `FINDING: no answer in ${CALL_TIMEOUT_MS / 1000} s`, pass: false };
    if (result === null) outcome = { text: 'not found (null)', pass: true };
    else {
      const diff = await check(result);
      outcome =
        diff === null ? { text: 'round trip', pass: true } : { text: `FINDING: ${diff}`, pass: false };
    }
  } catch (error) {
    const code = typed(error);
    outcome = code
      ? { text: code, pass: true }
      : { text: `FINDING: untyped ${String(error).slice(0, 60)}`, pass: false };
  }
  const after = await total(store);
  const expected = outcome.text === 'round trip' ? before + 1 : before;
  if (after !== expected)
    outcome = { text: `FINDING: ${after - before} jobs written (${outcome.text})`, pass: false };
  if (polluted()) outcome = { text: `FINDING: Object.prototype polluted (${outcome.text})`, pass: false };
  return outcome;
}

async function runOn(sink: RowSink, label: string, store: IDocumentDataProvider): Promise<void> {
  const manager = new JobManager({ store });
  const stored = async (id: string) => store.get(id);
  for (const [name, value] of Object.entries(STRINGS)) {
    const asName = await probe(
      store,
      async () => (await manager.enqueue(value, {})).id,
      async (id) => ((await stored(id))?.name === value ? null : 'name changed'),
    );
    sink.add(label, `name: ${name}`, asName.text, 'typed | round trip', asName.pass);
    const asKey = await probe(
      store,
      async () => (await manager.enqueue('chaos', {}, { key: value })).id,
      async (id) => {
        const doc = await stored(id);
        if (doc?.key !== value) return `key read back as ${JSON.stringify(doc?.key)?.slice(0, 40)}`;
        const again = await manager.enqueue('chaos', {}, { key: value });
        return again.created || again.id !== id ? 'key not idempotent' : null;
      },
    );
    sink.add(label, `key: ${name}`, asKey.text, 'typed | round trip', asKey.pass);
    const asId = await probe(
      store,
      async () => {
        const doc = await store.get(value);
        if (doc) return 'found';
        await store.update(value, 1, { progress: 1 });
        await store.delete(value);
        return null;
      },
      async () => 'a job was found under a hostile id',
    );
    sink.add(label, `id: ${name}`, asId.text, 'typed | not found', asId.pass);
  }
  for (const [name, make] of Object.entries(METADATA)) {
    const value = make();
    const outcome = await probe(
      store,
      async () => (await manager.enqueue('chaos', value as never)).id,
      async (id) => {
        const doc = await stored(id);
        return isDeepStrictEqual(doc?.metadata, value) ? null : 'metadata read back changed';
      },
    );
    sink.add(label, `metadata: ${name}`, outcome.text, 'typed | round trip', outcome.pass);
  }
}

/** Scenario 8: hostile ids, keys, names and metadata on memory, fs and PostgreSQL. */
export const hostile: Scenario = {
  id: 'hostile',
  title: 'hostile input on every provider',
  checks:
    'Names, idempotency keys and ids with ../, ..\\, absolute paths, NUL, %2e%2e, 10 KB strings, quotes and ;, and metadata with __proto__, constructor.prototype, cycles, Date, BigInt, undefined in arrays, functions, NaN, NUL, a lone surrogate, 8 MB and 10,000 levels deep, through JobManager.enqueue and the store’s get/update/delete, on memory, fs and PostgreSQL. Each must give a typed error (JobServiceError code, field) or an exact round trip, with the job count unchanged on errors, Object.prototype untouched, and an answer within 20 s.',
  async run(ctx) {
    const sink = new RowSink('hostile');
    const started = Date.now();
    const memory = new MemoryDocumentProvider();
    await runOn(sink, 'memory', memory);
    await memory.close();
    for (const provider of ctx.providers) {
      let run: RunStore | undefined;
      try {
        await sink.guard(provider, async () => {
          run = await openRun(provider, 'hostile');
          await runOn(sink, provider, run.store);
        });
      } finally {
        await run?.dispose();
      }
    }
    return { scenario: 'hostile', rows: sink.rows, notes: sink.notes, ms: Date.now() - started };
  },
};
