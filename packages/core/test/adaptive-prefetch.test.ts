import { describe, expect, it } from 'vitest';
import {
  type ClaimRequest,
  type IDocumentDataProvider,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
} from '../src/index.js';
import { defineCallback, requiredMethodsOnly, uniqueName } from '../src/testing/index.js';

/** A memory store whose claims take `claimMs` (a round trip) and record the limit asked for. */
function slowClaims(claimMs: number) {
  const memory = new MemoryDocumentProvider();
  const limits: number[] = [];
  const store: IDocumentDataProvider = {
    ...requiredMethodsOnly(memory),
    providerName: 'slow-claims',
    insertMany: (jobs) => memory.insertMany(jobs),
    settle: (s) => memory.settle(s),
    extendLeases: (e) => memory.extendLeases(e),
    claim: async (request: ClaimRequest) => {
      limits.push(request.limit);
      await new Promise((resolve) => setTimeout(resolve, claimMs));
      return memory.claim(request);
    },
  };
  return { store, limits };
}

async function runJobs(
  store: IDocumentDataProvider,
  count: number,
  options: { prefetch?: number; maxPrefetch?: number; jobMs: number },
): Promise<void> {
  const Callback = defineCallback(uniqueName('adaptive'), async () => {
    if (options.jobMs > 0) await new Promise((resolve) => setTimeout(resolve, options.jobMs));
    return JobExecutionResult.success();
  });
  await new JobManager({ store }).enqueueMany(
    Array.from({ length: count }, () => ({ callback: Callback, metadata: {} })),
  );
  const { jobMs: _, ...prefetch } = options;
  await new JobDispatcher({ store, callbacks: [Callback], concurrency: 2, ...prefetch }).drain();
  const done = await store.query({ statuses: ['completed'], names: [Callback.jobName!], limit: count });
  expect(done.items).toHaveLength(count);
}

describe('adaptive prefetch', () => {
  it('grows for short jobs over a deep backlog, never past maxPrefetch', async () => {
    const { store, limits } = slowClaims(3);
    await runJobs(store, 600, { prefetch: 2, maxPrefetch: 32, jobMs: 0 });
    // Capacity is concurrency + prefetch: 4 at first, at most 2 + 32.
    expect(Math.max(...limits)).toBeGreaterThan(4);
    expect(Math.max(...limits)).toBeLessThanOrEqual(34);
  });

  it('falls back to prefetch once a claim comes back short', async () => {
    const { store, limits } = slowClaims(3);
    await runJobs(store, 600, { prefetch: 2, maxPrefetch: 32, jobMs: 0 });
    limits.length = 0;
    await runJobs(store, 3, { prefetch: 2, maxPrefetch: 32, jobMs: 0 });
    expect(limits.length).toBeGreaterThan(0);
    expect(Math.max(...limits)).toBeLessThanOrEqual(4);
  });

  it('does not grow for jobs much slower than a claim', async () => {
    const { store, limits } = slowClaims(1);
    await runJobs(store, 10, { prefetch: 2, maxPrefetch: 32, jobMs: 150 });
    expect(Math.max(...limits)).toBeLessThanOrEqual(4);
  });

  it('stays fixed when only prefetch is set', async () => {
    const { store, limits } = slowClaims(3);
    await runJobs(store, 300, { prefetch: 2, jobMs: 0 });
    expect(Math.max(...limits)).toBeLessThanOrEqual(4);
  });
});
