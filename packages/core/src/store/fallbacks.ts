/**
 * Core's generic implementations of the optional store capabilities, built
 * on the required methods (`get`, `query`, compare-and-set `update`). They
 * are correct on any honest store, only slower than a native capability.
 */
import type { InsertResult, JobDocument, JobPatch, JobStatus, NewJob } from '../model/job.js';
import type {
  ClaimRequest,
  FencedWriteResult,
  IDocumentDataProvider,
  JobCount,
  LeaseExtension,
  LeaseExtensionResult,
  Settlement,
  WriteOptions,
} from './document-provider.js';
import { checkNameLimits, DeferralNote, isGated, keyGate, mayReserve, nameGate } from './flow-gates.js';
import { claimGated } from './gated-claim.js';
import {
  acceptsSettlement,
  claimPatch,
  claimStarter,
  extendPatch,
  holdsLease,
  isLeaseExpired,
  recoverPatch,
  settlePatch,
} from './transitions.js';

/** Most candidates one fallback claim round reads. */
const MAX_CLAIM_PAGE = 500;

/** The concurrency gates `job` needs in this claim. */
function gatesOf(job: JobDocument, request: ClaimRequest): string[] {
  const gates: string[] = [];
  if (job.concurrencyKey !== null) gates.push(keyGate(job.concurrencyKey));
  if (request.nameLimits?.[job.name] !== undefined) gates.push(nameGate(job.name));
  return gates;
}

/** How often a fenced write re-reads after losing a compare-and-set race. */
const MAX_CAS_ROUNDS = 16;

/** `insertMany` as one `insert` per job, in order. */
export async function insertManyFallback(
  store: IDocumentDataProvider,
  jobs: readonly NewJob[],
  options?: WriteOptions,
): Promise<InsertResult[]> {
  const results: InsertResult[] = [];
  for (const job of jobs) results.push(await store.insert(job, options));
  return results;
}

/** `claim` as query-then-compare-and-set; a lost race skips that job. */
export async function claimFallback(
  store: IDocumentDataProvider,
  request: ClaimRequest,
): Promise<JobDocument[]> {
  checkNameLimits(request, request.names);
  if (request.limit <= 0 || request.names.length === 0) return [];
  const starts = claimStarter(request);
  const claimed: JobDocument[] = [];
  /** Gates found full in this claim: their other jobs are not tried again. */
  const full = new Set<string>();
  let passed = 0;
  const deferrals = new DeferralNote();
  for (let round = 0; round < 3 && claimed.length < request.limit; round++) {
    const now = await store.now();
    const want = request.limit - claimed.length;
    const page = await store.query({
      statuses: ['scheduled'],
      names: request.names,
      dueAt: now,
      order: 'claim',
      // Jobs held back by a full gate stay at the head: look past them.
      limit: Math.min(MAX_CLAIM_PAGE, want * 2 + passed),
    });
    if (page.items.length === 0) break;
    let lost = 0;
    passed = 0;
    for (const job of page.items) {
      if (claimed.length >= request.limit) break;
      const start = starts(claimed.length, job);
      if (isGated(job, request)) {
        if (!start && !mayReserve(job)) {
          passed++;
          continue;
        }
        if (gatesOf(job, request).some((gate) => full.has(gate))) {
          passed++;
          continue;
        }
        const outcome = await claimGated(store, job, request, now, start);
        if (outcome.kind === 'claimed') claimed.push(outcome.job);
        else if (outcome.kind === 'deferred') deferrals.add(outcome.runAt, outcome.now);
        else if (outcome.kind === 'blocked') {
          full.add(outcome.gate);
          passed++;
        } else if (outcome.kind === 'lost') lost++;
        continue;
      }
      const after = await store.update(job.id, job.version, claimPatch(job, request, now, start));
      if (after) claimed.push(after);
      else lost++;
    }
    if (lost === 0 && passed === 0) break;
  }
  deferrals.report(request);
  return claimed;
}

/**
 * Re-reads and retries a fenced compare-and-set until it lands, the fence
 * rejects it, or the job is gone. Returns the document after the write.
 */
export async function fencedUpdate(
  store: IDocumentDataProvider,
  id: string,
  leaseToken: number,
  makePatch: (job: JobDocument, now: number) => JobPatch,
  accepts: (job: JobDocument) => boolean = (job) => holdsLease(job, leaseToken),
): Promise<JobDocument | null> {
  for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
    const job = await store.get(id);
    if (!job || !accepts(job)) return null;
    const now = await store.now();
    const after = await store.update(id, job.version, makePatch(job, now));
    if (after) return after;
  }
  return null;
}

/** `settle` as one fenced compare-and-set per settlement. */
export async function settleFallback(
  store: IDocumentDataProvider,
  settlements: readonly Settlement[],
): Promise<FencedWriteResult[]> {
  const results: FencedWriteResult[] = [];
  for (const s of settlements) {
    const after = await fencedUpdate(
      store,
      s.id,
      s.leaseToken,
      (job, now) => settlePatch(job, s, now),
      (job) => acceptsSettlement(job, s),
    );
    results.push({ id: s.id, ok: after !== null });
  }
  return results;
}

/** `extendLeases` as one fenced compare-and-set per heartbeat. */
export async function extendLeasesFallback(
  store: IDocumentDataProvider,
  extensions: readonly LeaseExtension[],
): Promise<LeaseExtensionResult[]> {
  const results: LeaseExtensionResult[] = [];
  for (const e of extensions) {
    const after = await fencedUpdate(store, e.id, e.leaseToken, (_job, now) => extendPatch(e, now));
    results.push({ id: e.id, ok: after !== null, cancelRequested: after?.cancelRequested ?? false });
  }
  return results;
}

/**
 * `recover` as a query for lapsed leases, then one compare-and-set per job
 * on the version read: a job settled or heartbeated meanwhile changed its
 * version, so the write misses and the job is left alone.
 */
export async function recoverFallback(store: IDocumentDataProvider, limit: number): Promise<JobDocument[]> {
  const now = await store.now();
  const page = await store.query({ statuses: ['running'], leaseExpiredAt: now, limit });
  const recovered: JobDocument[] = [];
  for (const job of page.items) {
    if (!isLeaseExpired(job, now)) continue;
    const after = await store.update(job.id, job.version, recoverPatch(job, now));
    if (after) recovered.push(after);
  }
  return recovered;
}

/**
 * `countJobs` over the required methods: pages through every job by id
 * (500 at a time) and counts them by name and status. A read of the whole
 * store; stores with many jobs implement `countJobs` natively.
 */
export async function countJobsFallback(store: IDocumentDataProvider): Promise<JobCount[]> {
  const counts = new Map<string, JobCount>();
  let cursor: string | null = null;
  do {
    const page = await store.query({ order: 'id', limit: 500, cursor });
    for (const job of page.items) addCount(counts, job.name, job.status);
    cursor = page.cursor;
  } while (cursor !== null);
  return [...counts.values()];
}

/** Adds one job to a `name + status` tally (for stores that count in memory). */
export function addCount(counts: Map<string, JobCount>, name: string, status: JobStatus, by = 1): void {
  const key = `${status}\u0000${name}`;
  const entry = counts.get(key);
  if (entry) entry.count += by;
  else counts.set(key, { name, status, count: by });
}
