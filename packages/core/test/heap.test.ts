import { describe, expect, it } from 'vitest';
import { Heap } from '../src/util/heap.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Item {
  key: number;
  seq: number;
}

const byKeyThenSeq = (a: Item, b: Item) => a.key < b.key || (a.key === b.key && a.seq < b.seq);

/** The mirror's sort, derived from the heap's own comparator so both use one order. */
const compare = (a: Item, b: Item) => (byKeyThenSeq(a, b) ? -1 : byKeyThenSeq(b, a) ? 1 : 0);

describe('Heap', () => {
  it('pops in comparator order through interleaved pushes and pops, duplicates included', () => {
    const next = random(7);
    const heap = new Heap<Item>(byKeyThenSeq);
    const mirror: Item[] = [];
    let seq = 0;
    for (let step = 0; step < 20_000; step++) {
      if (next() < 0.6 || mirror.length === 0) {
        const item = { key: Math.floor(next() * 50), seq: seq++ };
        heap.push(item);
        mirror.push(item);
      } else {
        mirror.sort(compare);
        expect(heap.pop()).toBe(mirror.shift());
      }
      expect(heap.size).toBe(mirror.length);
    }
    mirror.sort(compare);
    const rest: Item[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) rest.push(item);
    expect(rest).toEqual(mirror);
  });

  it('peeks without removing, pops undefined when empty, and clears', () => {
    const heap = new Heap<number>((a, b) => a < b);
    expect(heap.pop()).toBeUndefined();
    for (const n of [5, 3, 9, 1]) heap.push(n);
    expect(heap.peek()).toBe(1);
    expect(heap.size).toBe(4);
    expect(heap.pop()).toBe(1);
    expect(heap.pop()).toBe(3);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });
});
