import { compareClaimOrder, Heap } from '@jobservice/core';
import type { IndexEntry } from './index-entry.js';

/**
 * The claim order over scheduled index entries: a heap by `runAt` for jobs
 * not yet due and, per callback name, a heap in claim order (priority
 * descending, `runAt`, id) for due ones. Entries are dropped lazily: an
 * entry that is no longer the index's current one for its job is skipped
 * when it surfaces. {@link needsRebuild} says when skipped entries pile up
 * (jobs of names this process never claims) so the owner can rebuild.
 *
 * Due entries a claim found blocked by a full flow-control gate (a
 * concurrency key or a name's cluster-wide parallelism) are set aside per
 * gate ({@link park}) and cost no claim anything until the index sees a slot
 * of that gate free; then the best one goes back ({@link unpark}).
 */
export class ClaimQueue {
  private readonly delayed = new Heap<IndexEntry>((a, b) => a.runAt < b.runAt);
  private readonly ready = new Map<string, Heap<IndexEntry>>();
  private readonly parked = new Map<string, Heap<IndexEntry>>();
  private held = 0;

  constructor(private readonly isCurrent: (entry: IndexEntry) => boolean) {}

  /** Entries held, current or not. */
  get size(): number {
    return this.held;
  }

  /** True when held entries outnumber `live` scheduled jobs by far. */
  needsRebuild(live: number): boolean {
    return this.held > 2 * live + 1024;
  }

  /** Adds a scheduled entry. */
  add(entry: IndexEntry): void {
    this.delayed.push(entry);
    this.held++;
  }

  /** Removes and returns the best current entry due at `now` among `names`. */
  pop(names: ReadonlySet<string>, now: number): IndexEntry | undefined {
    this.promote(now);
    for (;;) {
      let best: IndexEntry | undefined;
      let bestHeap: Heap<IndexEntry> | undefined;
      for (const name of names) {
        const heap = this.ready.get(name);
        if (!heap) continue;
        let top = heap.peek();
        while (top && !this.isCurrent(top)) {
          heap.pop();
          this.held--;
          top = heap.peek();
        }
        if (top && (!best || compareClaimOrder(top, best) < 0)) {
          best = top;
          bestHeap = heap;
        }
      }
      if (!best || !bestHeap) return undefined;
      bestHeap.pop();
      this.held--;
      if (best.runAt <= now) return best;
      // The clock went back since it was promoted: not due after all.
      this.add(best);
    }
  }

  /** Sets a popped entry aside until a slot of `gate` frees. */
  park(gate: string, entry: IndexEntry): void {
    let heap = this.parked.get(gate);
    if (!heap) {
      heap = claimHeap();
      this.parked.set(gate, heap);
    }
    heap.push(entry);
    this.held++;
  }

  /**
   * Puts the best current entry parked under `gate` back in the claim order
   * (dropping stale ones on the way): a slot of `gate` came free. Does
   * nothing when none is parked there.
   */
  unpark(gate: string): void {
    const heap = this.parked.get(gate);
    if (!heap) return;
    for (let top = heap.pop(); top; top = heap.pop()) {
      this.held--;
      if (!this.isCurrent(top)) continue;
      if (heap.size === 0) this.parked.delete(gate);
      this.add(top);
      return;
    }
    this.parked.delete(gate);
  }

  /** Entries parked under `gate`, current or not. */
  parkedUnder(gate: string): number {
    return this.parked.get(gate)?.size ?? 0;
  }

  /** Empties the queue. */
  clear(): void {
    this.delayed.clear();
    this.ready.clear();
    this.parked.clear();
    this.held = 0;
  }

  /** Moves the entries due at `now` into their names' claim order (also done by {@link pop}). */
  promote(now: number): void {
    for (let top = this.delayed.peek(); top && top.runAt <= now; top = this.delayed.peek()) {
      this.delayed.pop();
      if (!this.isCurrent(top)) {
        this.held--;
        continue;
      }
      let heap = this.ready.get(top.name);
      if (!heap) {
        heap = claimHeap();
        this.ready.set(top.name, heap);
      }
      heap.push(top);
    }
  }
}

/** A heap of entries in claim order (priority descending, `runAt`, id). */
function claimHeap(): Heap<IndexEntry> {
  return new Heap<IndexEntry>((a, b) => compareClaimOrder(a, b) < 0);
}
