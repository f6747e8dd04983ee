import { type Bell, ShutdownError } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { RabbitMqQueueOptions, RabbitMqQueueProvider } from '../src/index.js';
import { brokerSkipReason, disposeQueue, messagesIn, openQueue } from './helpers/broker.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(brokerSkipReason() !== '')('delivery', () => {
  const queues: RabbitMqQueueProvider[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => disposeQueue(q, ['a', 'b', 'x'])));
  });
  const queue = async (options: RabbitMqQueueOptions = {}) => {
    const q = await openQueue(options);
    queues.push(q);
    return q;
  };

  it('never delivers a bell before its notBefore, and delivers it once', async () => {
    const q = await queue();
    const heard: Array<{ id: string; at: number }> = [];
    const sub = await q.subscribe((bell) => void heard.push({ id: bell.id, at: Date.now() }), {
      names: ['x'],
    });
    const notBefore = Date.now() + 1_500;
    await q.enqueue([{ id: 'later', name: 'x', notBefore }]);
    await q.enqueue([{ id: 'now', name: 'x' }]);
    await eventually(() => heard.some((h) => h.id === 'now'), 15_000, 'the due bell');
    expect(heard.map((h) => h.id)).toEqual(['now']); // the delayed one is still held
    await eventually(() => heard.some((h) => h.id === 'later'), 15_000, 'the delayed bell');
    expect(heard.find((h) => h.id === 'later')!.at).toBeGreaterThanOrEqual(notBefore);
    await pause(300);
    expect(heard.filter((h) => h.id === 'later')).toHaveLength(1);
    await sub.unsubscribe();
  });

  it('carries a delay longer than the largest bucket through several hops, never early', async () => {
    const q = await queue({ delayBucketsMs: [100, 300] });
    const heard: Array<{ id: string; at: number }> = [];
    const sub = await q.subscribe((bell) => void heard.push({ id: bell.id, at: Date.now() }));
    const notBefore = Date.now() + 1_000;
    await q.enqueue([{ id: 'far', notBefore }]);
    await eventually(() => heard.length > 0, 15_000, 'the delayed bell');
    expect(heard[0]!.at).toBeGreaterThanOrEqual(notBefore);
    await pause(300);
    expect(heard.map((h) => h.id)).toEqual(['far']);
    await sub.unsubscribe();
  });

  it('keeps bells for a name until its subscriber comes, and delivers them higher priority first', async () => {
    const q = await queue();
    const first = await q.subscribe(() => {}, { names: ['x'] }); // declares the name queue
    await first.unsubscribe();
    await q.enqueue([
      { id: 'p-3', name: 'x', priority: -3 },
      { id: 'p2', name: 'x', priority: 2 },
      { id: 'p0', name: 'x', priority: 0 },
      { id: 'p9', name: 'x', priority: 9 },
    ]);
    expect(await messagesIn(q.topology.nameQueue('x'))).toBe(4);
    const order: string[] = [];
    const sub = await q.subscribe((bell) => void order.push(bell.id), { names: ['x'] });
    await eventually(() => order.length === 4, 15_000, 'four bells');
    expect(order).toEqual(['p9', 'p2', 'p0', 'p-3']);
    await sub.unsubscribe();
  });

  it('routes bells by name: a subscriber gets its names and unnamed bells, never another name', async () => {
    const q = await queue();
    const a: Bell[] = [];
    const b: Bell[] = [];
    const subA = await q.subscribe((bell) => void a.push(bell), { names: ['a'] });
    const subB = await q.subscribe((bell) => void b.push(bell), { names: ['b'] });
    await q.enqueue([
      ...Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, name: 'a' })),
      ...Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, name: 'b' })),
      { id: 'anyone' },
    ]);
    await eventually(() => a.length + b.length === 11, 15_000, 'all bells');
    expect(a.every((bell) => bell.name === 'a' || bell.name === undefined)).toBe(true);
    expect(b.every((bell) => bell.name === 'b' || bell.name === undefined)).toBe(true);
    expect([...a, ...b].filter((bell) => bell.id === 'anyone')).toHaveLength(1);
    await subA.unsubscribe();
    await subB.unsubscribe();
  });

  it('requeues a bell whose handler throws once, then drops it (no redelivery storm)', async () => {
    const q = await queue();
    let calls = 0;
    const sub = await q.subscribe(() => {
      calls++;
      throw new Error('handler broke');
    });
    await q.enqueue([{ id: 'flaky' }]);
    await eventually(() => calls === 2, 15_000, 'the redelivery');
    await pause(500);
    expect(calls).toBe(2);
    expect(await messagesIn(q.topology.any)).toBe(0);
    await sub.unsubscribe();
  });

  it('acknowledges after the handler promise settles: unsubscribe and close wait for it', async () => {
    const q = await queue();
    const events: string[] = [];
    const sub = await q.subscribe(async (bell) => {
      events.push(`start ${bell.id}`);
      await pause(300);
      events.push(`end ${bell.id}`);
    });
    await q.enqueue([{ id: 'slow' }]);
    await eventually(() => events.length > 0, 15_000, 'the handler to start');
    await sub.unsubscribe();
    events.push('unsubscribed');
    expect(events).toEqual(['start slow', 'end slow', 'unsubscribed']);
    expect(await messagesIn(q.topology.any)).toBe(0); // acked, not returned
  });

  it('close is idempotent, waits for in-flight handlers, and refuses later calls', async () => {
    const q = await queue();
    const events: string[] = [];
    await q.subscribe(async () => {
      events.push('start');
      await pause(200);
      events.push('end');
    });
    await q.enqueue([{ id: 'one' }]);
    await eventually(() => events.length > 0, 15_000, 'the handler to start');
    await q.deleteTopology();
    await Promise.all([q.close(), q.close()]);
    events.push('closed');
    expect(events).toEqual(['start', 'end', 'closed']);
    await expect(q.enqueue([{ id: 'late' }])).rejects.toBeInstanceOf(ShutdownError);
    await expect(q.subscribe(() => {})).rejects.toBeInstanceOf(ShutdownError);
  });

  it('refuses malformed bells and names, naming the field', async () => {
    const q = await queue();
    await expect(q.enqueue([{ id: '' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'bells[0].id',
    });
    await expect(q.enqueue([{ id: 'x', notBefore: Number.NaN }])).rejects.toMatchObject({
      field: 'bells[0].notBefore',
    });
    await expect(q.enqueue([{ id: 'x' }], { transaction: {} })).rejects.toMatchObject({
      field: 'options.transaction',
    });
    await expect(q.subscribe(() => {}, { names: ['has space'] })).rejects.toMatchObject({
      field: 'options.names[0]',
    });
  });
});
