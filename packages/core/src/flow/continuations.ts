import { InvalidInputError } from '../errors.js';
import type { InsertResult, JobDocument, NewJob } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';
import { ChildReleaser } from './release-children.js';

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
      if (child) {
        const after = await this.releaser.release(child);
        if (after?.status === 'cancelled') await this.releaser.afterEnded([after.id]);
      }
    }
  }

  /** Releases what the end (or deletion) of `ids` unblocked. */
  async afterEnded(ids: readonly string[]): Promise<void> {
    await this.releaser.afterEnded(ids);
  }
}
