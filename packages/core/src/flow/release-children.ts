import { isTerminal, type JobDocument, type JobPatch } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';

/** What a waiting job's parents decide: keep waiting, run it, or cancel it. */
export type ReleaseDecision =
  | { kind: 'wait' }
  | { kind: 'schedule' }
  | { kind: 'cancel'; parentId: string; parentStatus: string };

/** Children released or cancelled per query page. */
const PAGE = 200;

/**
 * Decides from `parents` (the documents of `child.parents`, `null` for one
 * deleted) whether `child` may leave `waiting`. A deleted parent counts as
 * ended unsuccessfully, as a failed or cancelled one does.
 */
export function releaseDecision(
  child: JobDocument,
  parents: readonly (JobDocument | null)[],
): ReleaseDecision {
  let failed: { parentId: string; parentStatus: string } | null = null;
  for (const [i, parent] of parents.entries()) {
    if (parent !== null && !isTerminal(parent.status)) return { kind: 'wait' };
    if (failed === null && (parent === null || parent.status !== 'completed')) {
      failed = { parentId: child.parents[i] as string, parentStatus: parent?.status ?? 'deleted' };
    }
  }
  if (failed !== null && child.onParentFailure === 'cancel') return { kind: 'cancel', ...failed };
  return { kind: 'schedule' };
}

/** The write that releases a waiting job (the caller guards it by version). */
export function releasePatch(decision: Exclude<ReleaseDecision, { kind: 'wait' }>, now: number): JobPatch {
  if (decision.kind === 'schedule') return { status: 'scheduled' };
  return {
    status: 'cancelled',
    finishedAt: now,
    error: { message: `cancelled: parent ${decision.parentId} ended ${decision.parentStatus}` },
  };
}

/**
 * Moves continuations out of `waiting` once every parent has ended: to
 * `scheduled` (rung, so a worker starts it), or to `cancelled` when a parent
 * failed and the policy says so (then its own children are looked at in
 * turn). Every write is a compare-and-set from `waiting`, so processes
 * releasing the same child at once write it once.
 */
export class ChildReleaser {
  constructor(
    private readonly store: JobStore,
    private readonly ring: (job: JobDocument) => void = () => {},
  ) {}

  /** Releases what the end of `parentIds` unblocked (and, transitively, what that ends). */
  async afterEnded(parentIds: readonly string[]): Promise<JobDocument[]> {
    const released: JobDocument[] = [];
    let ended = [...new Set(parentIds)];
    while (ended.length > 0) {
      const next: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await this.store.provider.query({
          statuses: ['waiting'],
          parentIds: ended,
          limit: PAGE,
          cursor,
        });
        for (const child of page.items) {
          if (!child.parents.some((p) => ended.includes(p))) continue; // a store that ignored the filter
          const after = await this.release(child);
          if (after) {
            released.push(after);
            if (after.status === 'cancelled') next.push(after.id);
          }
        }
        cursor = page.cursor;
      } while (cursor);
      ended = next;
    }
    return released;
  }

  /**
   * Looks at up to `limit` waiting jobs from `cursor` (id order) and
   * releases those whose parents have all ended: the safety net for a
   * crash between a parent's end and its children's release. Returns the
   * next cursor (`null` after the last page) and what it released.
   */
  async sweep(
    limit: number,
    cursor: string | null,
  ): Promise<{ cursor: string | null; released: JobDocument[] }> {
    const page = await this.store.provider.query({ statuses: ['waiting'], limit, cursor });
    const released: JobDocument[] = [];
    for (const child of page.items) {
      const after = await this.release(child);
      if (after) released.push(after);
    }
    const cancelled = released.filter((j) => j.status === 'cancelled').map((j) => j.id);
    if (cancelled.length > 0) released.push(...(await this.afterEnded(cancelled)));
    return { cursor: page.cursor, released };
  }

  /** Releases one waiting job if its parents allow; the job after the write, or `null`. */
  async release(child: JobDocument): Promise<JobDocument | null> {
    let current: JobDocument | null = child;
    while (current !== null && current.status === 'waiting') {
      const parents = await Promise.all(current.parents.map((id) => this.store.get(id)));
      const decision = releaseDecision(current, parents);
      if (decision.kind === 'wait') return null;
      const after = await this.store.update(
        current.id,
        current.version,
        releasePatch(decision, await this.store.now()),
      );
      if (after) {
        if (after.status === 'scheduled') this.ring(after);
        return after;
      }
      current = await this.store.get(current.id);
    }
    return null;
  }
}
