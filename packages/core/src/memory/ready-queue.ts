import { Heap } from '../util/heap.js';
import type { ClaimEntry } from './claim-index.js';

/**
 * Due entries of one name and priority, in (`runAt`, id) order. Entries
 * almost always arrive in that order (ids are UUID v7, due times grow), so
 * it is a plain FIFO array until one arrives out of order; then it becomes a
 * heap for good.
 */
export class ReadyQueue {
  private fifo: ClaimEntry[] = [];
  private head = 0;
  private heap: Heap<ClaimEntry> | undefined;

  /** True when `a` is claimed before `b` (priority, then runAt, then id). */
  static before(a: ClaimEntry, b: ClaimEntry): boolean {
    if (a.priority !== b.priority) return a.priority > b.priority;
    if (a.runAt !== b.runAt) return a.runAt < b.runAt;
    return a.id < b.id;
  }

  push(entry: ClaimEntry): void {
    if (this.heap) {
      this.heap.push(entry);
      return;
    }
    const last = this.fifo[this.fifo.length - 1];
    if (this.head === this.fifo.length || !last || !ReadyQueue.before(entry, last)) {
      this.fifo.push(entry);
      return;
    }
    this.heap = new Heap<ClaimEntry>(ReadyQueue.before);
    for (let i = this.head; i < this.fifo.length; i++) this.heap.push(this.fifo[i] as ClaimEntry);
    this.fifo = [];
    this.head = 0;
    this.heap.push(entry);
  }

  peek(): ClaimEntry | undefined {
    return this.heap ? this.heap.peek() : this.fifo[this.head];
  }

  shift(): void {
    if (this.heap) {
      this.heap.pop();
      return;
    }
    this.head++;
    if (this.head === this.fifo.length) {
      this.fifo = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
  }
}
