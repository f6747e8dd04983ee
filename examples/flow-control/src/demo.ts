import {
  type IDocumentDataProvider,
  type IQueueProvider,
  JobDispatcher,
  type JobDocument,
  JobManager,
} from '@jobservice/core';
import {
  FakePartnerApi,
  PARTNER_RATE,
  SendInvoice,
  shared,
  Tally,
  TENANT_LIMIT,
  TenantExport,
} from './callbacks.js';

/** Options for {@link runDemo}. */
export interface DemoOptions {
  store: IDocumentDataProvider;
  queue?: IQueueProvider;
  /** @default ['A', 'B'] */
  tenants?: string[];
  /** Export jobs per tenant. @default 3 */
  perTenant?: number;
  /** Invoices sent to the rate-limited partner API. @default 12 */
  invoices?: number;
}

/** What {@link runDemo} saw: the handlers' log and tally, and the stored jobs it enqueued. */
export interface DemoResult {
  tally: Tally;
  api: FakePartnerApi;
  /** The tenant export jobs as the store holds them after the run (with `startedAt`, `finishedAt`). */
  exports: JobDocument[];
  /** The invoice jobs, likewise. */
  invoices: JobDocument[];
}

/**
 * Enqueues every tenant's exports (concurrency key `tenant:<id>`, limit 1)
 * and the invoices (rate limit 5 per second) before a worker runs, so the
 * store has to hold them back; runs one dispatcher with 4 slots until all
 * have completed, and returns what happened.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { store, queue } = options;
  const tenants = options.tenants ?? ['A', 'B'];
  const perTenant = options.perTenant ?? 3;
  const invoices = options.invoices ?? 12;
  shared.tally = new Tally();
  shared.api = new FakePartnerApi();
  const callbacks = [TenantExport, SendInvoice];
  const manager = new JobManager({ store, ...(queue ? { queue } : {}), callbacks });

  const exportIds = await manager.enqueueMany(
    Array.from({ length: perTenant }, (_, n) =>
      tenants.map((tenant) => ({
        callback: TenantExport,
        metadata: { tenant, n: n + 1 },
        options: { concurrencyKey: `tenant:${tenant}`, concurrencyLimit: TENANT_LIMIT },
      })),
    ).flat(),
  );
  const invoiceIds = await manager.enqueueMany(
    Array.from({ length: invoices }, (_, i) => ({
      callback: SendInvoice,
      metadata: { invoice: 1001 + i },
      options: { rateLimit: PARTNER_RATE },
    })),
  );

  const dispatcher = new JobDispatcher({ store, ...(queue ? { queue } : {}), callbacks, concurrency: 4 });
  await dispatcher.start();
  const all = [...exportIds, ...invoiceIds].map((r) => r.id);
  await Promise.all(all.map((id) => manager.waitFor(id)));
  await dispatcher.stop();

  const read = async (ids: string[]) =>
    (await Promise.all(ids.map((id) => manager.get(id)))).filter((job) => job !== null);
  return {
    tally: shared.tally,
    api: shared.api,
    exports: await read(exportIds.map((r) => r.id)),
    invoices: await read(invoiceIds.map((r) => r.id)),
  };
}

/**
 * The most jobs of one group whose stored `startedAt`–`finishedAt`
 * overlapped (an end at the instant of a start does not overlap it).
 */
export function peakOverlap(
  jobs: readonly JobDocument[],
  group: (job: JobDocument) => string,
): Map<string, number> {
  const edges = new Map<string, Array<[number, number]>>();
  for (const job of jobs) {
    const list = edges.get(group(job)) ?? [];
    list.push([job.startedAt ?? Number.NaN, 1], [job.finishedAt ?? Number.NaN, -1]);
    edges.set(group(job), list);
  }
  const peak = new Map<string, number>();
  for (const [key, list] of edges) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = 0;
    for (const [, step] of list) {
      open += step;
      most = Math.max(most, open);
    }
    peak.set(key, most);
  }
  return peak;
}

/**
 * The most starts found in any window of `perMs` (sliding: every start
 * opens one), from the given store times.
 */
export function busiestWindow(starts: readonly number[], perMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] as number) <= (sorted[i] as number) - perMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
