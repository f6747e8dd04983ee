import type { JobDocument } from '../model/job.js';
import { Heap } from '../util/heap.js';
import { ReadyQueue } from './ready-queue.js';

/** One scheduled job version in the claim index. */
export interface ClaimEntry {
  id: string;
  name: string;
  priority: number;
  runAt: number;
  version: number;
}

/** The due jobs of one callback name: a queue per priority, highest first. */
class NameQueues {
  private readonly byPriority = new Map<number, ReadyQueue>();
  /** Priorities present, highest first. */
  private priorities: number[] = [];

  push(entry: ClaimEntry): void {
    let queue = this.byPriority.get(entry.priority);
    if (!queue) {
      queue = new ReadyQueue();
      this.byPriority.set(entry.priority, queue);
      this.priorities.push(entry.priority);
      this.priorities.sort((a, b) => b - a);
    }
    queue.push(entry);
  }

  /** The best current entry (dropping stale ones on the way), without removing it. */
  peek(isCurrent: (entry: ClaimEntry) => boolean): { entry: ClaimEntry; queue: ReadyQueue } | undefined {
    for (const priority of this.priorities) {
      const queue = this.byPriority.get(priority) as ReadyQueue;
      let top = queue.peek();
      while (top && !isCurrent(top)) {
        queue.shift();
        top = queue.peek();
      }
      if (top) return { entry: top, queue };
    }
    return undefined;
  }
}

/**
 * The memory store's claim index: a min-heap by `runAt` for jobs not yet
 * due and, per callback name and priority, a queue of due jobs in
 * (`runAt`, id) order. Entries are removed lazily: one whose job moved on
 * (another version or status) is dropped when met.
 */
export class ClaimIndex {
  private readonly delayed = new Heap<ClaimEntry>(
    (a, b) => a.runAt < b.runAt || (a.runAt === b.runAt && a.id < b.id),
  );
  private readonly ready = new Map<string, NameQueues>();

  /** Indexes a job that is `scheduled` in this version, at store time `now`. */
  add(job: JobDocument, now: number): void {
    const entry: ClaimEntry = {
      id: job.id,
      name: job.name,
      priority: job.priority,
      runAt: job.runAt,
      version: job.version,
    };
    if (entry.runAt <= now) this.queuesOf(entry.name).push(entry);
    else this.delayed.push(entry);
  }

  /** Moves every entry due at `now` into the ready queues. */
  promoteDue(now: number): void {
    for (let top = this.delayed.peek(); top && top.runAt <= now; top = this.delayed.peek()) {
      this.delayed.pop();
      this.queuesOf(top.name).push(top);
    }
  }

  /** Removes and returns the best current entry among `names` (priority, then runAt, then id). */
  popBest(names: ReadonlySet<string>, isCurrent: (entry: ClaimEntry) => boolean): ClaimEntry | undefined {
    let best: { entry: ClaimEntry; queue: ReadyQueue } | undefined;
    for (const name of names) {
      const candidate = this.ready.get(name)?.peek(isCurrent);
      if (candidate && (!best || ReadyQueue.before(candidate.entry, best.entry))) best = candidate;
    }
    best?.queue.shift();
    return best?.entry;
  }

  private queuesOf(name: string): NameQueues {
    let queues = this.ready.get(name);
    if (!queues) {
      queues = new NameQueues();
      this.ready.set(name, queues);
    }
    return queues;
  }
}
