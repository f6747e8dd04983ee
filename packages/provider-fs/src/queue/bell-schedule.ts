import { Heap } from '@jobservice/core';
import { type BellRef, compareBells } from './bell-file.js';

/**
 * The bell files one consumer knows of: a heap by `notBefore` for bells not
 * yet due and, per routing tag, a heap in delivery order for due ones. A
 * file forgotten (taken by another consumer, or gone at a rescan) is skipped
 * when it surfaces.
 */
export class BellSchedule {
  private readonly known = new Set<string>();
  private readonly delayed = new Heap<BellRef>((a, b) => a.notBefore < b.notBefore);
  private readonly ready = new Map<string, Heap<BellRef>>();

  /** Adds a bell file; false when it is known already. */
  add(ref: BellRef): boolean {
    if (this.known.has(ref.file)) return false;
    this.known.add(ref.file);
    this.delayed.push(ref);
    return true;
  }

  /** Forgets files that are no longer in `present` (a rescan's listing). */
  retainOnly(present: ReadonlySet<string>): void {
    for (const file of this.known) if (!present.has(file)) this.known.delete(file);
  }

  /** Moves every bell due at `now` to its tag's ready heap; returns when the next one is due. */
  promote(now: number): number | undefined {
    for (let top = this.delayed.peek(); top; top = this.delayed.peek()) {
      if (!this.known.has(top.file)) {
        this.delayed.pop();
        continue;
      }
      if (top.notBefore > now) return top.notBefore;
      this.delayed.pop();
      let heap = this.ready.get(top.tag);
      if (!heap) {
        heap = new Heap<BellRef>((a, b) => compareBells(a, b) < 0);
        this.ready.set(top.tag, heap);
      }
      heap.push(top);
    }
    return undefined;
  }

  /** Removes and returns the best due bell among `tags` (`all`: every tag). */
  pop(tags: ReadonlySet<string> | 'all'): BellRef | undefined {
    let best: BellRef | undefined;
    let bestHeap: Heap<BellRef> | undefined;
    for (const [tag, heap] of this.ready) {
      if (tags !== 'all' && !tags.has(tag)) continue;
      let top = heap.peek();
      while (top && !this.known.has(top.file)) {
        heap.pop();
        top = heap.peek();
      }
      if (top && (!best || compareBells(top, best) < 0)) {
        best = top;
        bestHeap = heap;
      }
    }
    if (!best || !bestHeap) return undefined;
    bestHeap.pop();
    this.known.delete(best.file);
    return best;
  }

  /** Forgets everything. */
  clear(): void {
    this.known.clear();
    this.delayed.clear();
    this.ready.clear();
  }
}
