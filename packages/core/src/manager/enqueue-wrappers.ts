import type { InsertResult, NewJob } from '../model/job.js';

/**
 * Runs around every `enqueue` and `enqueueMany` (once per call, with all
 * its jobs), e.g. in a producer span: it may set `trace` on jobs that have
 * none, must call `insert` once and resolve with what it resolved. Jobs an
 * idempotency key found already stored come back `created: false`.
 *
 * @example
 * manager.wrapEnqueue(async (jobs, insert) => {
 *   const started = performance.now();
 *   try { return await insert(); } finally { histogram.observe(performance.now() - started); }
 * });
 */
export type EnqueueWrapper = (
  jobs: readonly NewJob[],
  insert: () => Promise<InsertResult[]>,
) => Promise<InsertResult[]>;

/**
 * The wrappers one manager applies, outermost first added. With none, the
 * insert runs directly. A wrapper that resolves without calling `insert`
 * does not drop the jobs: they are inserted then.
 */
export class EnqueueWrappers {
  private list: readonly EnqueueWrapper[] = [];

  /** True when at least one wrapper is installed. */
  get active(): boolean {
    return this.list.length > 0;
  }

  /** Adds a wrapper; the returned function removes it. */
  add(wrapper: EnqueueWrapper): () => void {
    this.list = [...this.list, wrapper];
    return () => {
      this.list = this.list.filter((w) => w !== wrapper);
    };
  }

  /** Runs `insert` inside every wrapper. */
  run(jobs: readonly NewJob[], insert: () => Promise<InsertResult[]>): Promise<InsertResult[]> {
    return this.runFrom(this.list, 0, jobs, insert);
  }

  private async runFrom(
    list: readonly EnqueueWrapper[],
    i: number,
    jobs: readonly NewJob[],
    insert: () => Promise<InsertResult[]>,
  ): Promise<InsertResult[]> {
    const wrapper = list[i];
    if (wrapper === undefined) return insert();
    let inserted: Promise<InsertResult[]> | undefined;
    const inner = () => {
      inserted ??= this.runFrom(list, i + 1, jobs, insert);
      return inserted;
    };
    const returned = await wrapper(jobs, inner);
    if (inserted === undefined) return inner();
    return returned;
  }
}
