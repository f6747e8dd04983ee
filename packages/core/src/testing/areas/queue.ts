import { JobManager } from '../../manager/job-manager.js';
import type { Bell } from '../../queue/queue-provider.js';
import type { QueueFeatures } from '../harness.js';
import type { KitContext } from '../kit-context.js';
import { eventually, uniqueName } from '../kit-context.js';

/** Queue delivery: bells reach a subscriber, delays hold, priorities order, unsubscribe stops. */
export function queueArea({ test, it, needs, open }: KitContext, features: QueueFeatures): void {
  const { expect } = test;

  needs('queue')('delivers every bell to a subscriber at least once', async () => {
    const h = await open();
    const got = new Set<string>();
    const sub = await h.queue!.subscribe((bell) => {
      got.add(bell.id);
    });
    const name = uniqueName('bell');
    const ids = Array.from({ length: 20 }, (_, i) => `${name}-${i}`);
    await h.queue!.enqueue(ids.map((id) => ({ id, name })));
    await eventually(() => ids.every((id) => got.has(id)), 15_000, 'all bells');
    await sub.unsubscribe();
  });

  needs('queue')('shares bells among competing subscribers, each bell reaching someone', async () => {
    const h = await open();
    const a: string[] = [];
    const b: string[] = [];
    const subA = await h.queue!.subscribe((bell) => {
      a.push(bell.id);
    });
    const subB = await h.queue!.subscribe((bell) => {
      b.push(bell.id);
    });
    const ids = Array.from({ length: 30 }, (_, i) => `${uniqueName('share')}-${i}`);
    await h.queue!.enqueue(ids.map((id) => ({ id })));
    await eventually(() => ids.every((id) => a.includes(id) || b.includes(id)), 15_000, 'all bells');
    if (features.competing) expect(a.length + b.length).toBe(ids.length);
    await subA.unsubscribe();
    await subB.unsubscribe();
  });

  needs('queue', 'queue-delays')(
    'delivers a due bell before one whose notBefore is in the future',
    async () => {
      const h = await open();
      const order: string[] = [];
      const sub = await h.queue!.subscribe((bell: Bell) => {
        order.push(bell.id);
      });
      await h.queue!.enqueue([{ id: 'later', notBefore: Date.now() + 300 }]);
      await h.queue!.enqueue([{ id: 'now' }]);
      await eventually(() => order.includes('later'), 15_000, 'delayed bell');
      expect(order.indexOf('now')).toBeLessThan(order.indexOf('later'));
      await sub.unsubscribe();
    },
  );

  needs('queue', 'queue-priorities')('delivers waiting bells in priority order, higher first', async () => {
    const h = await open();
    await h.queue!.enqueue([
      { id: 'p0', priority: 0 },
      { id: 'p5', priority: 5 },
      { id: 'p-1', priority: -1 },
    ]);
    const order: string[] = [];
    const sub = await h.queue!.subscribe((bell) => {
      order.push(bell.id);
    });
    await eventually(() => order.length >= 3, 15_000, 'three bells');
    expect(order.slice(0, 3)).toEqual(['p5', 'p0', 'p-1']);
    await sub.unsubscribe();
  });

  needs('queue')('stops delivering to a handler after unsubscribe', async () => {
    const h = await open();
    const first: string[] = [];
    const second: string[] = [];
    const sub = await h.queue!.subscribe((bell) => {
      first.push(bell.id);
    });
    await sub.unsubscribe();
    await sub.unsubscribe();
    const keep = await h.queue!.subscribe((bell) => {
      second.push(bell.id);
    });
    await h.queue!.enqueue([{ id: 'after' }]);
    await eventually(() => second.includes('after'), 15_000, 'bell to the live subscriber');
    expect(first).toEqual([]);
    await keep.unsubscribe();
  });

  it('rings from inside the insert where the store is also the queue, and only for a created job', async () => {
    const h = await open();
    if (!h.queue || (h.queue as unknown) !== h.store || !h.store.insertAndRing) return;
    const heard: string[] = [];
    const sub = await h.queue!.subscribe((bell) => {
      heard.push(bell.id);
    });
    const name = uniqueName('fused');
    const manager = new JobManager({ store: h.store, queue: h.queue });
    const key = uniqueName('key');
    const first = await manager.enqueue(name, { n: 1 }, { key });
    const again = await manager.enqueue(name, { n: 2 }, { key });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ id: first.id, created: false });
    await eventually(() => heard.includes(first.id), 15_000, 'the bell of the created job');
    expect((await h.store.get(first.id))?.metadata).toEqual({ n: 1 });
    await sub.unsubscribe();
  });
}
