import type { JobDispatcher } from '../../dispatcher/job-dispatcher.js';
import type { JobDocument } from '../../model/job.js';
import type { KitContext, KitHarness } from '../kit-context.js';

/** Jobs started on the store's clock, and the most that ran at once per key (counted in the handlers). */
export class RunTally {
  readonly starts: number[] = [];
  private readonly running = new Map<string, number>();
  readonly peak = new Map<string, number>();

  enter(key: string): void {
    const now = (this.running.get(key) ?? 0) + 1;
    this.running.set(key, now);
    this.peak.set(key, Math.max(this.peak.get(key) ?? 0, now));
  }

  leave(key: string): void {
    this.running.set(key, (this.running.get(key) ?? 1) - 1);
  }
}

/** Samples the store while `body` runs: the most `running` jobs (reserved included) per group seen at once. */
export async function sampleStore<T>(
  h: KitHarness,
  name: string,
  group: (job: JobDocument) => string,
  body: () => Promise<T>,
): Promise<{ result: T; peak: Map<string, number> }> {
  const peak = new Map<string, number>();
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const page = await h.store.query({ names: [name], statuses: ['running'], limit: 1_000 });
      const counts = new Map<string, number>();
      for (const job of page.items) counts.set(group(job), (counts.get(group(job)) ?? 0) + 1);
      for (const [k, n] of counts) peak.set(k, Math.max(peak.get(k) ?? 0, n));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    const result = await body();
    return { result, peak };
  } finally {
    done = true;
    await sampler;
  }
}

/** Completed jobs of `name`. */
export async function completedCount(h: KitHarness, name: string): Promise<number> {
  const counts = await h.jobs.countJobs();
  return counts.find((c) => c.name === name && c.status === 'completed')?.count ?? 0;
}

/** Starts `count` dispatchers, half on the harness's peer store (another connection or process view). */
export async function startMany(
  ctx: KitContext,
  h: KitHarness,
  count: number,
  options: Parameters<KitContext['dispatcher']>[0],
): Promise<JobDispatcher[]> {
  const peer = (await h.peer()).provider;
  const all = Array.from({ length: count }, (_, i) =>
    ctx.dispatcher({ ...options, ...(i % 2 === 1 ? { store: peer } : {}) }, h),
  );
  for (const d of all) await d.start();
  return all;
}

/**
 * The most completed jobs of `name` whose stored `startedAt`–`finishedAt`
 * overlapped, per group (a job that starts in the millisecond another
 * finishes does not overlap it).
 */
export async function storedOverlap(
  h: KitHarness,
  name: string,
  group: (job: JobDocument) => string,
): Promise<Map<string, number>> {
  const events = new Map<string, Array<[at: number, step: number]>>();
  let cursor: string | null = null;
  do {
    const page = await h.store.query({ names: [name], statuses: ['completed'], limit: 1_000, cursor });
    for (const job of page.items) {
      const list = events.get(group(job)) ?? [];
      list.push([job.startedAt ?? Number.NaN, 1], [job.finishedAt ?? Number.NaN, -1]);
      events.set(group(job), list);
    }
    cursor = page.cursor;
  } while (cursor !== null);
  const peak = new Map<string, number>();
  for (const [key, list] of events) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    for (const [, step] of list) {
      now += step;
      peak.set(key, Math.max(peak.get(key) ?? 0, now));
    }
  }
  return peak;
}
