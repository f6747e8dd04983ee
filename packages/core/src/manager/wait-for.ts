import { JobFailedError, NotFoundError } from '../errors.js';
import type { JobDocument } from '../model/job.js';
import { isTerminal } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { Unwatch } from '../store/document-provider.js';
import type { JobStore } from '../store/job-store.js';
import { abortableDelay } from '../util/clock.js';

/** Options for `waitFor`. */
export interface WaitForOptions {
  /** Gives up (rejecting with the signal's reason) when aborted. */
  signal?: AbortSignal;
  /** Longest pause between polls where the store has no change feed. @default 1_000 */
  maxPollMs?: number;
}

/** Resolves with a job's result once it is terminal (see `JobManager.waitFor`). */
export async function waitForJob(
  store: JobStore,
  id: string,
  options: WaitForOptions,
): Promise<JsonValue | null> {
  const signal = options.signal;
  let wake: (() => void) | undefined;
  let unwatch: Unwatch | undefined;
  const watching = store.watch((change) => {
    if (change.id === id && isTerminal(change.status)) wake?.();
  });
  if (watching) unwatch = await watching;
  try {
    let pollMs = 10;
    const maxPollMs = options.maxPollMs ?? (unwatch ? 5_000 : 1_000);
    for (;;) {
      signal?.throwIfAborted();
      const changed = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const job = await store.get(id);
      if (!job) throw new NotFoundError('job', id);
      if (isTerminal(job.status)) return outcomeOf(job);
      // With a change feed the poll is only a safety net against a lost notification.
      await untilEither(changed, pollMs, signal);
      pollMs = Math.min(maxPollMs, pollMs * 2);
    }
  } finally {
    await unwatch?.();
  }
}

function outcomeOf(job: JobDocument): JsonValue | null {
  if (job.status === 'completed') return job.result;
  throw new JobFailedError(job.id, job.status as 'failed' | 'cancelled', job.error?.message);
}

/** Waits for `changed`, `ms`, or the signal (rejecting), and leaves no timer behind. */
async function untilEither(
  changed: Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const timer = new AbortController();
  const onAbort = () => timer.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([changed, abortableDelay(ms, timer.signal).catch(() => undefined)]);
  } finally {
    timer.abort();
    signal?.removeEventListener('abort', onAbort);
  }
  signal?.throwIfAborted();
}
