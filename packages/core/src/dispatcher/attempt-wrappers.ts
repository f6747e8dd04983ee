import type { JobDocument } from '../model/job.js';

/**
 * Runs around the start of each attempt's handler, e.g. to make a span
 * the active context while it runs: call `run()` once, synchronously, and
 * return. Asynchronous work the handler does stays in that context where
 * the context travels with promises (`AsyncLocalStorage`). The attempt's end
 * arrives as a dispatcher event (`completed`, `retrying`, `failed`,
 * `cancelled`, `released`, `leaseLost`) with the same `job.id`.
 *
 * @example
 * dispatcher.wrapAttempts((job, run) => storage.run({ jobId: job.id }, run));
 */
export type AttemptWrapper = (job: JobDocument, run: () => void) => void;

/**
 * The wrappers one dispatcher applies, outermost first added. With none,
 * an attempt starts directly. A wrapper that throws, or returns without
 * calling `run`, cannot strand the attempt: it starts anyway and the
 * error is reported.
 */
export class AttemptWrappers {
  private list: readonly AttemptWrapper[] = [];

  constructor(private readonly reportError: (error: unknown) => void) {}

  /** Adds a wrapper; the returned function removes it. */
  add(wrapper: AttemptWrapper): () => void {
    this.list = [...this.list, wrapper];
    return () => {
      this.list = this.list.filter((w) => w !== wrapper);
    };
  }

  /** Starts the attempt inside every wrapper. */
  run(job: JobDocument, start: () => void): void {
    const list = this.list;
    if (list.length === 0) {
      start();
      return;
    }
    this.runFrom(list, 0, job, start);
  }

  private runFrom(list: readonly AttemptWrapper[], i: number, job: JobDocument, start: () => void): void {
    const wrapper = list[i];
    if (wrapper === undefined) {
      start();
      return;
    }
    let called = false;
    const inner = () => {
      if (called) return;
      called = true;
      this.runFrom(list, i + 1, job, start);
    };
    try {
      wrapper(job, inner);
    } catch (error) {
      this.reportError(error);
    }
    if (!called) inner();
  }
}
