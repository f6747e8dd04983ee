import { type Bell, type JobChange, JobManager } from '@jobservice/core';
import { defineCallback, eventually, newJob, uniqueName } from '@jobservice/core/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresProvider, RESYNC_BELL_ID } from '../src/index.js';
import { adminQuery, databaseUrl, testProvider } from './helpers/database.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function provider(): Promise<PostgresProvider> {
  const p = await testProvider();
  cleanups.push(() => p.close());
  return p;
}

async function peerOf(p: PostgresProvider): Promise<PostgresProvider> {
  const peer = new PostgresProvider({ connectionString: databaseUrl(), schema: p.schema, listenerPingMs: 0 });
  cleanups.push(() => peer.close());
  await peer.ready();
  return peer;
}

/** A raw LISTEN connection counting the NOTIFYs on one channel. */
async function countNotifications(channel: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  const payloads: string[] = [];
  client.on('notification', (n) => payloads.push(n.payload ?? ''));
  await client.query(`LISTEN "${channel}"`);
  cleanups.push(() => client.end());
  return payloads;
}

describe('LISTEN connection', () => {
  it('comes back after pg_terminate_backend, rings a resync bell, and bells and changes resume', async () => {
    const p = await provider();
    const bells: Bell[] = [];
    const changes: JobChange[] = [];
    const subscription = await p.subscribe((bell) => bells.push(bell));
    cleanups.push(() => subscription.unsubscribe());
    cleanups.push(await p.watch((change) => changes.push(change)));
    const before = p.testing.listenerProcessId();
    expect(before).not.toBeNull();
    const [killed] = await adminQuery<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [before]);
    expect(killed!.ok).toBe(true);
    await eventually(() => bells.some((b) => b.id === RESYNC_BELL_ID), 15_000, 'the resync bell');
    const after = p.testing.listenerProcessId();
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    await p.enqueue([{ id: 'after-reconnect', name: 'x' }]);
    await eventually(() => bells.some((b) => b.id === 'after-reconnect'), 10_000, 'a bell after reconnect');
    const name = uniqueName('after');
    await p.insert(newJob(name));
    const [job] = await p.claim({ names: [name], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await (await peerOf(p)).settle([{ id: job!.id, leaseToken: 1, outcome: 'completed', result: null }]);
    await eventually(() => changes.some((c) => c.id === job!.id), 10_000, 'a change after reconnect');
  });
});

describe('watch', () => {
  it("reports other providers' terminal transitions and cancel requests, not claims or heartbeats", async () => {
    const p = await provider();
    const peer = await peerOf(p);
    const changes: JobChange[] = [];
    cleanups.push(await p.watch((change) => changes.push(change)));
    const name = uniqueName('watch');
    const [a, b, c] = [newJob(name), newJob(name), newJob(name)];
    await peer.insertMany([a!, b!, c!]);
    const claimed = await peer.claim({ names: [name], limit: 3, workerId: 'w', leaseMs: 30_000 });
    await peer.extendLeases(claimed.map((j) => ({ id: j.id, leaseToken: 1, leaseMs: 30_000, progress: 1 })));
    const running = (await peer.get(b!.id))!;
    await peer.update(b!.id, running.version, { cancelRequested: true });
    await peer.settle([
      { id: a!.id, leaseToken: 1, outcome: 'completed', result: 'ok' },
      { id: c!.id, leaseToken: 1, outcome: 'retry', delayMs: 0, error: { message: 'again' } },
    ]);
    await peer.settle([{ id: b!.id, leaseToken: 1, outcome: 'cancelled', error: null }]);
    await eventually(() => changes.length >= 3, 10_000, 'three changes');
    expect(changes).toEqual([
      { id: b!.id, status: 'running', cancelRequested: true },
      { id: a!.id, status: 'completed', cancelRequested: false },
      { id: b!.id, status: 'cancelled', cancelRequested: true },
    ]);
  });

  it('sends a settled batch as a few NOTIFYs, and other terminal writes on the same connection one each', async () => {
    const p = await testProvider({ poolConfig: { max: 1 } });
    cleanups.push(() => p.close());
    const payloads = await countNotifications(`${p.schema}_changes`);
    const name = uniqueName('batch');
    const jobs = Array.from({ length: 300 }, () => newJob(name));
    await p.insertMany(jobs);
    const claimed = await p.claim({ names: [name], limit: 300, workerId: 'w', leaseMs: 30_000 });
    await p.settle(
      claimed.map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'completed', result: null })),
    );
    // The same (only) connection next writes a terminal status outside settle: the row trigger speaks.
    const late = newJob(name);
    await p.insert(late);
    await p.update(late.id, 1, { status: 'cancelled', finishedAt: await p.now() });
    await eventually(() => payloads.some((x) => x.includes(late.id)), 10_000, 'the cancellation');
    const batch = payloads.slice(0, -1).flatMap((x) => JSON.parse(x) as Array<[string, string, boolean]>);
    expect(new Set(batch.map(([id]) => id))).toEqual(new Set(jobs.map((j) => j.id)));
    expect(batch.every(([, status]) => status === 'completed')).toBe(true);
    expect(payloads.length - 1).toBeLessThanOrEqual(5);
    expect(payloads.every((x) => Buffer.byteLength(x) < 8000)).toBe(true);
    expect(JSON.parse(payloads.at(-1)!)).toEqual([[late.id, 'cancelled', false]]);
  });

  it('with cancelRequestsOnly, hears cancel requests and nothing of jobs that finish', async () => {
    const p = await provider();
    const peer = await peerOf(p);
    const cancels: JobChange[] = [];
    const all: JobChange[] = [];
    const stopCancels = await p.watch((change) => cancels.push(change), { cancelRequestsOnly: true });
    cleanups.push(stopCancels);
    const name = uniqueName('cancels');
    const [a, b] = [newJob(name), newJob(name)];
    await peer.insertMany([a!, b!]);
    await peer.claim({ names: [name], limit: 2, workerId: 'w', leaseMs: 30_000 });
    await peer.settle([{ id: a!.id, leaseToken: 1, outcome: 'completed', result: null }]);
    const running = (await peer.get(b!.id))!;
    await peer.update(b!.id, running.version, { cancelRequested: true });
    await eventually(() => cancels.length >= 1, 10_000, 'the cancel request');
    // A full watcher added later hears the next terminal transition; the cancel-only one still does not.
    cleanups.push(await p.watch((change) => all.push(change)));
    await peer.settle([{ id: b!.id, leaseToken: 1, outcome: 'cancelled', error: null }]);
    await eventually(() => all.length >= 1, 10_000, 'the terminal transition');
    expect(cancels).toEqual([{ id: b!.id, status: 'running', cancelRequested: true }]);
    expect(all).toEqual([{ id: b!.id, status: 'cancelled', cancelRequested: true }]);
  });
});

describe('doorbell', () => {
  it('sends one NOTIFY per enqueue call, however many bells or jobs', async () => {
    const p = await provider();
    const payloads = await countNotifications(`${p.schema}_bells`);
    await p.enqueue(Array.from({ length: 50 }, (_, i) => ({ id: `b${i}`, name: 'n' })));
    const Callback = defineCallback(uniqueName('many'));
    const manager = new JobManager({ store: p, queue: p, callbacks: [Callback] });
    await manager.enqueueMany(Array.from({ length: 50 }, () => ({ callback: Callback, metadata: {} })));
    await p.enqueue([{ id: 'last' }]);
    await eventually(() => payloads.some((x) => x.includes('"last"')), 10_000, 'the last bell');
    expect(payloads).toHaveLength(3);
  });

  it("rings a JobManager's enqueue inside the insert: one statement, a bell only for a created job", async () => {
    const base = await provider();
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    cleanups.push(() => pool.end());
    const statements: string[] = [];
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
      const config = args[0] as { text?: string } | string;
      statements.push(typeof config === 'string' ? config : (config.text ?? ''));
      return query(...args);
    };
    const p = new PostgresProvider({ pool, schema: base.schema, listenerPingMs: 0 });
    cleanups.push(() => p.close());
    await p.ready();
    const payloads = await countNotifications(`${p.schema}_bells`);
    const Callback = defineCallback(uniqueName('fused'));
    const manager = new JobManager({ store: p, queue: p, callbacks: [Callback] });
    statements.length = 0;
    const first = await manager.enqueue(Callback, { n: 1 }, { key: uniqueName('key') });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/INSERT INTO .*pg_notify/s);
    const again = await manager.enqueue(Callback, { n: 2 }, { key: (await p.get(first.id))!.key! });
    expect(again).toEqual({ id: first.id, created: false, status: 'scheduled', result: null });
    await p.enqueue([{ id: 'marker' }]);
    await eventually(() => payloads.some((x) => x.includes('"marker"')), 10_000, 'the marker bell');
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toContain(first.id);
  });

  it('rings resync bells per name when one enqueue carries more bells than a NOTIFY holds', async () => {
    const p = await provider();
    const a: Bell[] = [];
    const b: Bell[] = [];
    const subA = await p.subscribe((bell) => a.push(bell), { names: ['alpha'] });
    const subB = await p.subscribe((bell) => b.push(bell), { names: ['beta'] });
    cleanups.push(
      () => subA.unsubscribe(),
      () => subB.unsubscribe(),
    );
    const bells = Array.from({ length: 2_000 }, (_, i) => ({
      id: `${uniqueName('bulk')}-${i}`,
      name: i % 2 ? 'alpha' : 'beta',
    }));
    await p.enqueue(bells);
    await eventually(() => a.length > 0 && b.length > 0, 10_000, 'a bell for each name');
    expect(a).toEqual([{ id: RESYNC_BELL_ID, name: 'alpha' }]);
    expect(b).toEqual([{ id: RESYNC_BELL_ID, name: 'beta' }]);
  });

  it('delivers each bell to one subscriber of the process, only to those handling its name', async () => {
    const p = await provider();
    const got: Array<[string, string]> = [];
    const subs = await Promise.all([
      p.subscribe((bell) => got.push(['x1', bell.id]), { names: ['x'] }),
      p.subscribe((bell) => got.push(['x2', bell.id]), { names: ['x'] }),
      p.subscribe((bell) => got.push(['y', bell.id]), { names: ['y'] }),
    ]);
    cleanups.push(...subs.map((s) => () => s.unsubscribe()));
    await p.enqueue(Array.from({ length: 10 }, (_, i) => ({ id: `x-${i}`, name: 'x' })));
    await eventually(() => got.length >= 10, 10_000, 'ten bells');
    await p.enqueue([{ id: 'y-0', name: 'y' }]);
    await eventually(() => got.some(([, id]) => id === 'y-0'), 10_000, 'the y bell');
    expect(got.filter(([who]) => who === 'y').map(([, id]) => id)).toEqual(['y-0']);
    const xs = got.filter(([who]) => who !== 'y');
    expect(xs.map(([, id]) => id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `x-${i}`).sort());
    expect(new Set(xs.map(([who]) => who))).toEqual(new Set(['x1', 'x2']));
  });
});
