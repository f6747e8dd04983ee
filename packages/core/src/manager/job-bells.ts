import { JobServiceError } from '../errors.js';
import type { NewJob } from '../model/job.js';
import type { Bell, IQueueProvider } from '../queue/queue-provider.js';

/** What a bell is made from. */
export type Ringable = Pick<NewJob, 'id' | 'name' | 'priority' | 'runAt' | 'delayMs'>;

/** One bell per job; `notBefore` from the local clock (a hint: the store decides when a job is due). */
export function bellsFor(jobs: readonly Ringable[]): Bell[] {
  const now = Date.now();
  return jobs.map((job) => {
    const bell: Bell = { id: job.id, name: job.name, priority: job.priority };
    const notBefore = job.runAt ?? (job.delayMs ? now + job.delayMs : undefined);
    if (notBefore !== undefined) bell.notBefore = notBefore;
    return bell;
  });
}

/**
 * Rings `queue` for stored jobs. A failed ring is swallowed (the job is
 * stored; a lost bell only costs latency, dispatchers also claim on a
 * timer), except bad input, which the caller must hear of.
 */
export async function ringFor(
  queue: IQueueProvider | undefined,
  jobs: readonly Ringable[],
  write?: { transaction?: unknown },
): Promise<void> {
  if (!queue || jobs.length === 0) return;
  try {
    await queue.enqueue(bellsFor(jobs), write);
  } catch (error) {
    if (error instanceof JobServiceError && error.code === 'INVALID_INPUT') throw error;
  }
}
