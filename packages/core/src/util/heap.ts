/**
 * A binary min-heap ordered by `less`. Used for timer and claim queues: one
 * structure for many jobs instead of one timer or sort per job.
 */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  /** How many items are held. */
  get size(): number {
    return this.items.length;
  }

  /** The smallest item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    // Sift up by moving the hole, not by swapping: no temporary per level.
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (!this.less(item, above)) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(items[r] as T, items[l] as T) ? r : l;
      const below = items[child] as T;
      if (!this.less(below, last)) break;
      items[i] = below;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Removes every item. */
  clear(): void {
    this.items.length = 0;
  }
}
