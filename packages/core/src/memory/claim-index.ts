import type { JobDocument } from '../model/job.js';
import { compareClaimOrder } from '../model/job.js';
import { Heap } from '../util/heap.js';

/** One scheduled job version in the claim index. */
export interface ClaimEntry {
  id: string;
  name: string;
  priority: number;
  runAt: number;
  version: number;
}

/**
 * The memory store's claim index: a min-heap by `runAt` for jobs not yet due
 * and, per callback name, a heap in claim order for due jobs. Entries are
 * removed lazily: a popped entry whose job moved on (other version or
 * status) is dropped.
 */
export class ClaimIndex {
  private readonly delayed = new Heap<ClaimEntry>((a, b) => a.runAt < b.runAt);
  private readonly ready = new Map<string, Heap<ClaimEntry>>();
  private latestNow = Number.NEGATIVE_INFINITY;

  /** Indexes a job that is `scheduled` in this version. */
  add(job: JobDocument): void {
    const entry: ClaimEntry = {
      id: job.id,
      name: job.name,
      priority: job.priority,
      runAt: job.runAt,
      version: job.version,
    };
    if (entry.runAt <= this.latestNow) this.readyHeap(entry.name).push(entry);
    else this.delayed.push(entry);
  }

  /** Moves every entry due at `now` into the ready heaps. */
  promoteDue(now: number): void {
    if (now > this.latestNow) this.latestNow = now;
    for (let top = this.delayed.peek(); top && top.runAt <= now; top = this.delayed.peek()) {
      this.delayed.pop();
      this.readyHeap(top.name).push(top);
    }
  }

  /** Removes and returns the best current entry among `names`. */
  popBest(names: ReadonlySet<string>, isCurrent: (entry: ClaimEntry) => boolean): ClaimEntry | undefined {
    let bestHeap: Heap<ClaimEntry> | undefined;
    let best: ClaimEntry | undefined;
    for (const name of names) {
      const heap = this.ready.get(name);
      if (!heap) continue;
      let top = heap.peek();
      while (top && !isCurrent(top)) {
        heap.pop();
        top = heap.peek();
      }
      if (top && (!best || compareClaimOrder(top, best) < 0)) {
        best = top;
        bestHeap = heap;
      }
    }
    bestHeap?.pop();
    return best;
  }

  private readyHeap(name: string): Heap<ClaimEntry> {
    let heap = this.ready.get(name);
    if (!heap) {
      heap = new Heap<ClaimEntry>((a, b) => compareClaimOrder(a, b) < 0);
      this.ready.set(name, heap);
    }
    return heap;
  }
}
