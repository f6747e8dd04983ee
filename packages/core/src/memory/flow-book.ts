import type { JobDocument } from '../model/job.js';
import { type FlowCounts, keyGate, nameGate, RateBook } from '../store/flow-gates.js';
import type { ClaimEntry } from './claim-index.js';
import { ReadyQueue } from './ready-queue.js';

/**
 * The memory store's flow-control state: running jobs per concurrency key
 * and per name (kept exact by every write), rate-limit windows, and the due
 * jobs a claim set aside because their key or name was full ("parked"),
 * one of which goes back to the claim index each time a slot of that gate
 * frees. So a blocked job costs nothing until it may start.
 */
export class MemoryFlowBook implements FlowCounts {
  private readonly byKey = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  readonly rates = new RateBook();
  private readonly parked = new Map<string, ReadyQueue>();

  runningWithKey(key: string): number {
    return this.byKey.get(key) ?? 0;
  }

  runningWithName(name: string): number {
    return this.byName.get(name) ?? 0;
  }

  rateStarts(key: string): readonly number[] {
    return this.rates.get(key);
  }

  /**
   * Follows one write (`before` → `after`; either absent for an insert or
   * a delete) and returns the gates a slot came free in.
   */
  track(before: JobDocument | undefined, after: JobDocument | undefined): string[] {
    const wasRunning = before?.status === 'running';
    const isRunning = after?.status === 'running';
    if (wasRunning === isRunning) return [];
    const job = (after ?? before) as JobDocument;
    const by = isRunning ? 1 : -1;
    bump(this.byName, job.name, by);
    if (job.concurrencyKey !== null) bump(this.byKey, job.concurrencyKey, by);
    if (isRunning) return [];
    const freed = [nameGate(job.name)];
    if (job.concurrencyKey !== null) freed.push(keyGate(job.concurrencyKey));
    return freed;
  }

  /** Sets a due job aside until a slot of `gate` frees. */
  park(gate: string, entry: ClaimEntry): void {
    let queue = this.parked.get(gate);
    if (!queue) {
      queue = new ReadyQueue();
      this.parked.set(gate, queue);
    }
    queue.push(entry);
  }

  /**
   * The best parked entry of `gate` that is still current (stale ones are
   * dropped on the way), removed from the book; `undefined` when none.
   */
  unpark(gate: string, isCurrent: (entry: ClaimEntry) => boolean): ClaimEntry | undefined {
    const queue = this.parked.get(gate);
    if (!queue) return undefined;
    for (let entry = queue.peek(); entry; entry = queue.peek()) {
      queue.shift();
      if (isCurrent(entry)) return entry;
    }
    this.parked.delete(gate);
    return undefined;
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
