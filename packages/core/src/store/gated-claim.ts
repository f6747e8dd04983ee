import type { JobDocument } from '../model/job.js';
import type { ClaimRequest, IDocumentDataProvider } from './document-provider.js';
import { keyGate, nameGate } from './flow-gates.js';
import { ledgerOf } from './flow-ledger.js';
import { claimPatch } from './transitions.js';

/** How one flow-controlled candidate fared in core's claim fallback. */
export type GatedClaim =
  | { kind: 'claimed'; job: JobDocument }
  | { kind: 'blocked'; gate: string }
  | { kind: 'deferred'; runAt: number; now: number }
  | { kind: 'lost' };

/**
 * Claims one flow-controlled job on the required methods: takes a slot of
 * its concurrency key, then of its name's cluster-wide parallelism, then a
 * start of its rate window (each a compare-and-set on the gate's document),
 * and only then the job itself. A gate that is full leaves the job as it is
 * (`blocked`); a full rate window moves its `runAt` to when the window has
 * room (`deferred`); a lost race gives back the slots taken (`lost`).
 */
export async function claimGated(
  store: IDocumentDataProvider,
  job: JobDocument,
  request: ClaimRequest,
  claimNow: number,
  start: boolean,
): Promise<GatedClaim> {
  let now = claimNow;
  const ledger = ledgerOf(store);
  const taken: Array<[gate: string, nonce: string]> = [];
  const giveBack = async () => {
    for (const [gate, nonce] of taken) await ledger.release(gate, nonce);
  };
  const slots: Array<[string, number]> = [];
  if (job.concurrencyKey !== null) slots.push([keyGate(job.concurrencyKey), job.concurrencyLimit ?? 1]);
  const nameLimit = request.nameLimits?.[job.name];
  if (nameLimit !== undefined) slots.push([nameGate(job.name), nameLimit]);
  for (const [gate, limit] of slots) {
    const slot = await ledger.acquire(gate, limit, job, now, request.leaseMs);
    if (!slot.ok) {
      await giveBack();
      return slot.reason === 'full' ? { kind: 'blocked', gate } : { kind: 'lost' };
    }
    taken.push([gate, slot.nonce]);
  }
  // The start is recorded at the store's time now, not the round's: a slot taken above may have come free
  // after the round began, and the job must not seem to start before the one it replaces finished.
  if (slots.length > 0 || job.rateLimit !== null) now = await store.now();
  if (job.rateLimit !== null) {
    const rate = await ledger.takeRate(job.rateLimit, job, now);
    if (!rate.ok) {
      await giveBack();
      if ('racing' in rate) return { kind: 'lost' };
      await store.update(job.id, job.version, { runAt: rate.nextStart });
      return { kind: 'deferred', runAt: rate.nextStart, now };
    }
  }
  const after = await store.update(job.id, job.version, claimPatch(job, request, now, start));
  if (after) return { kind: 'claimed', job: after };
  if (job.rateLimit !== null) await ledger.giveBackRate(job.rateLimit, job, now);
  await giveBack();
  return { kind: 'lost' };
}
