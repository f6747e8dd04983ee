import { InvalidInputError } from '../errors.js';
import type { InsertResult, JobDocument, NewJob } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';
import { ChildReleaser } from './release-children.js';

/** How long after writing a continuation whose parents were open it is looked at again. */
const RECHECK_MS = 1_000;

/** Rings the doorbell for jobs that became runnable. */
export type RingJobs = (jobs: readonly Pick<JobDocument, 'id' | 'name' | 'priority'>[]) => Promise<void>;

/**
 * The manager's side of continuations: parents must exist before a child
 * is written, and a child whose parents had all ended by the time it was
 * written is released at once (else the last parent's end releases it).
 */
export class Continuations {
  readonly releaser: ChildReleaser;

  constructor(
    private readonly store: JobStore,
    ring: RingJobs,
  ) {
    this.releaser = new ChildReleaser(store, (job) => void ring([job]).catch(() => {}));
  }

  /**
   * Throws an {@link InvalidInputError} naming the first parent id (of any
   * job) that is not in the store; `known` ids (written in the same call)
   * count as present. Nothing is written before this passes.
   */
  async checkParentsExist(
    jobs: readonly NewJob[],
    fieldOf: (jobIndex: number, parentIndex: number) => string,
    known: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const looked = new Map<string, boolean>();
    for (const [i, job] of jobs.entries()) {
      for (const [k, id] of (job.parents ?? []).entries()) {
        if (known.has(id)) continue;
        let exists = looked.get(id);
        if (exists === undefined) {
          exists = (await this.store.get(id)) !== null;
          looked.set(id, exists);
        }
        if (!exists)
          throw new InvalidInputError(
            fieldOf(i, k),
            `no job with id ${id}: a continuation runs after jobs that exist`,
          );
      }
    }
  }

  /** Releases the created continuations among `jobs` whose parents have all ended already. */
  async afterInsert(jobs: readonly NewJob[], results: readonly InsertResult[]): Promise<void> {
    for (const [i, job] of jobs.entries()) {
      if (!job.parents?.length || !results[i]?.created) continue;
      const child = await this.store.get(job.id);
      if (child && !(await this.settle(child))) this.recheckLater(child.id);
    }
  }

  /** Releases `child` if its parents allow (and what its cancellation unblocks); whether it left `waiting`. */
  private async settle(child: JobDocument): Promise<boolean> {
    const after = await this.releaser.release(child);
    if (after?.status === 'cancelled') await this.releaser.afterEnded([after.id]);
    return after !== null;
  }

  /**
   * Looks at a child once more a moment later: a parent whose settle
   * statement was running while the child was written may have missed it
   * (a store that reports `childrenWaiting` from the statement's snapshot),
   * and this check, run after that settle committed, sees the parent ended.
   * Best effort (the timer does not keep the process alive; the sweep is the net).
   */
  private recheckLater(id: string): void {
    const timer = setTimeout(() => {
      void this.store
        .get(id)
        .then((child) => (child?.status === 'waiting' ? this.settle(child) : false))
        .catch(() => {});
    }, RECHECK_MS);
    timer.unref();
  }

  /** Releases what the end (or deletion) of `ids` unblocked. */
  async afterEnded(ids: readonly string[]): Promise<void> {
    await this.releaser.afterEnded(ids);
  }
}
