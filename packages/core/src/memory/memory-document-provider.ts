import { InvalidInputError, ShutdownError } from '../errors.js';
import type { InsertResult, JobDocument, JobPatch, NewJob } from '../model/job.js';
import { applyJobPatch, isTerminal, materializeJob } from '../model/job.js';
import type {
  ClaimRequest,
  FencedWriteResult,
  IDocumentDataProvider,
  JobChange,
  JobCount,
  JobPage,
  JobQuery,
  LeaseExtension,
  LeaseExtensionResult,
  Settlement,
  Unwatch,
  WriteOptions,
} from '../store/document-provider.js';
import { addCount } from '../store/fallbacks.js';
import { admitJob, checkNameLimits, DeferralNote, isGated, mayReserve } from '../store/flow-gates.js';
import {
  acceptsSettlement,
  claimPatch,
  claimStarter,
  extendPatch,
  holdsLease,
  isLeaseExpired,
  recoverPatch,
  settlePatch,
} from '../store/transitions.js';
import { type Clock, systemClock } from '../util/clock.js';
import { frozenJson } from '../util/json-copy.js';
import { ClaimIndex } from './claim-index.js';
import { MemoryFlowBook } from './flow-book.js';
import { matchesQuery, pageOf } from './query-match.js';

/** The labels of a job without any (shared: frozen). */
const EMPTY_LABELS = Object.freeze({});
const NO_PARENTS = Object.freeze([]) as unknown as string[];

/** Options for {@link MemoryDocumentProvider}. */
export interface MemoryDocumentProviderOptions {
  /** The store's clock. @default the system clock */
  clock?: Clock;
}

/**
 * The reference store: every capability, in one process's memory, nothing
 * durable. It behaves like a real store: what a caller passes in is copied
 * (changing your object afterwards changes no job), and documents handed
 * out are frozen snapshots (changing one throws and changes no job; copy it
 * to edit). Each write stores a new document.
 *
 * @example
 * const store = new MemoryDocumentProvider();
 */
export class MemoryDocumentProvider implements IDocumentDataProvider {
  readonly providerName = 'memory';
  readonly flowControl = true;
  private readonly clock: Clock;
  private readonly docs = new Map<string, JobDocument>();
  private readonly keys = new Map<string, string>();
  private readonly running = new Set<string>();
  /** Continuations not yet released: what a `waiting` query scans. */
  private readonly waiting = new Set<string>();
  private readonly index = new ClaimIndex();
  private readonly flow = new MemoryFlowBook();
  private readonly watchers = new Set<(change: JobChange) => void>();
  private closed = false;

  constructor(options: MemoryDocumentProviderOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async insert(job: NewJob, options?: WriteOptions): Promise<InsertResult> {
    return this.insertOne(job, options);
  }

  async insertMany(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]> {
    return jobs.map((job) => this.insertOne(job, options));
  }

  async get(id: string): Promise<JobDocument | null> {
    this.assertOpen();
    return this.docs.get(id) ?? null;
  }

  async update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null> {
    this.assertOpen();
    const job = this.docs.get(id);
    if (!job || job.version !== expectedVersion) return null;
    return this.write(job, patch, this.clock.now());
  }

  async query(query: JobQuery): Promise<JobPage> {
    this.assertOpen();
    const statuses = query.statuses;
    const only = statuses && statuses.length === 1 ? statuses[0] : undefined;
    const source =
      only === 'running' || only === 'waiting'
        ? [...(only === 'running' ? this.running : this.waiting)].map(
            (id) => this.docs.get(id) as JobDocument,
          )
        : this.docs.values();
    const matched: JobDocument[] = [];
    for (const job of source) if (matchesQuery(job, query)) matched.push(job);
    return pageOf(matched, query);
  }

  async countJobs(): Promise<JobCount[]> {
    this.assertOpen();
    const counts = new Map<string, JobCount>();
    for (const job of this.docs.values()) addCount(counts, job.name, job.status);
    return [...counts.values()];
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    this.assertOpen();
    const job = this.docs.get(id);
    if (!job || (expectedVersion !== undefined && job.version !== expectedVersion)) return false;
    this.docs.delete(id);
    this.running.delete(id);
    this.waiting.delete(id);
    if (job.key !== null) this.keys.delete(job.key);
    this.freeGates(this.flow.track(job, undefined), this.clock.now());
    return true;
  }

  async now(): Promise<number> {
    return this.clock.now();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
  }

  async claim(request: ClaimRequest): Promise<JobDocument[]> {
    this.assertOpen();
    const now = this.clock.now();
    const claimed: JobDocument[] = [];
    const names = new Set(request.names);
    checkNameLimits(request, names);
    const starts = claimStarter(request);
    this.index.promoteDue(now);
    const passed: JobDocument[] = [];
    const deferrals = new DeferralNote();
    while (claimed.length < request.limit) {
      const entry = this.index.popBest(names, (e) => this.isCurrent(e.id, e.version));
      if (!entry) break;
      const job = this.docs.get(entry.id) as JobDocument;
      const start = starts(claimed.length, job);
      if (!start && !mayReserve(job)) {
        passed.push(job);
        continue;
      }
      if (isGated(job, request)) {
        const admission = admitJob(job, request, this.flow, now);
        if (admission.kind === 'blocked') {
          // Set aside until a slot of its gate frees; a full name takes no more claims this round.
          this.flow.park(admission.gate, entry);
          if (admission.gate.startsWith('name:')) names.delete(job.name);
          continue;
        }
        if (admission.kind === 'defer') {
          this.write(job, { runAt: admission.runAt }, now);
          deferrals.add(admission.runAt, now);
          continue;
        }
        if (job.rateLimit !== null) this.flow.rates.record(job.rateLimit, now);
      }
      claimed.push(this.write(job, claimPatch(job, request, now, start), now));
    }
    for (const job of passed) this.index.add(job, now);
    deferrals.report(request);
    return claimed;
  }

  async settle(settlements: readonly Settlement[]): Promise<FencedWriteResult[]> {
    this.assertOpen();
    const now = this.clock.now();
    return settlements.map((s) => {
      const job = this.docs.get(s.id);
      if (!job || !acceptsSettlement(job, s)) return { id: s.id, ok: false };
      const after = this.write(job, settlePatch(job, s, now), now);
      return isTerminal(after.status)
        ? { id: s.id, ok: true, childrenWaiting: this.hasWaitingChildren(s.id) }
        : { id: s.id, ok: true };
    });
  }

  async extendLeases(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]> {
    this.assertOpen();
    const now = this.clock.now();
    return extensions.map((e) => {
      const job = this.docs.get(e.id);
      if (!job || !holdsLease(job, e.leaseToken)) return { id: e.id, ok: false, cancelRequested: false };
      const after = this.write(job, extendPatch(e, now), now);
      return { id: e.id, ok: true, cancelRequested: after.cancelRequested };
    });
  }

  async recover(limit: number): Promise<JobDocument[]> {
    this.assertOpen();
    const now = this.clock.now();
    const recovered: JobDocument[] = [];
    for (const id of [...this.running]) {
      if (recovered.length >= limit) break;
      const job = this.docs.get(id) as JobDocument;
      if (isLeaseExpired(job, now)) recovered.push(this.write(job, recoverPatch(job, now), now));
    }
    return recovered;
  }

  async prune(before: number, limit: number): Promise<number> {
    this.assertOpen();
    let deleted = 0;
    for (const job of this.docs.values()) {
      if (deleted >= limit) break;
      if (isTerminal(job.status) && job.finishedAt !== null && job.finishedAt < before) {
        this.docs.delete(job.id);
        if (job.key !== null) this.keys.delete(job.key);
        deleted++;
      }
    }
    return deleted;
  }

  async watch(listener: (change: JobChange) => void): Promise<Unwatch> {
    this.assertOpen();
    this.watchers.add(listener);
    return async () => {
      this.watchers.delete(listener);
    };
  }

  private insertOne(job: NewJob, options?: WriteOptions): InsertResult {
    this.assertOpen();
    if (options?.transaction !== undefined) {
      throw new InvalidInputError('options.transaction', 'the memory store has no transactions; omit it');
    }
    if (job.key !== null) {
      const existing = this.keys.get(job.key);
      if (existing !== undefined) return { id: existing, created: false };
    }
    if (this.docs.has(job.id)) return { id: job.id, created: false };
    const now = this.clock.now();
    const doc = Object.freeze(
      materializeJob(
        {
          ...job,
          metadata: frozenJson(job.metadata),
          backoff: frozenJson(job.backoff),
          trace: job.trace ? frozenJson(job.trace) : null,
          labels: job.labels ? frozenJson({ ...job.labels }) : EMPTY_LABELS,
          parents: job.parents?.length ? (Object.freeze([...job.parents]) as string[]) : NO_PARENTS,
        },
        now,
      ),
    );
    this.docs.set(doc.id, doc);
    if (doc.key !== null) this.keys.set(doc.key, doc.id);
    if (doc.status === 'waiting') this.waiting.add(doc.id);
    else this.index.add(doc, now);
    this.notify(doc);
    return { id: doc.id, created: true };
  }

  private write(job: JobDocument, patch: JobPatch, now: number): JobDocument {
    const after = Object.freeze(applyJobPatch(job, frozenPatch(job, patch), now));
    this.docs.set(after.id, after);
    if (after.status === 'running') this.running.add(after.id);
    else this.running.delete(after.id);
    if (after.status === 'waiting') this.waiting.add(after.id);
    else this.waiting.delete(after.id);
    if (after.status === 'scheduled') this.index.add(after, now);
    if (after.status !== job.status) this.freeGates(this.flow.track(job, after), now);
    if (after.status !== job.status || after.cancelRequested !== job.cancelRequested) this.notify(after);
    return after;
  }

  /** Puts one parked job of each gate that freed a slot back into the claim index. */
  private freeGates(gates: readonly string[], now: number): void {
    for (const gate of gates) {
      const entry = this.flow.unpark(gate, (e) => this.isCurrent(e.id, e.version));
      if (entry) this.index.add(this.docs.get(entry.id) as JobDocument, now);
    }
  }

  /** Whether a waiting job names `id` among its parents (exact: this store is synchronous). */
  private hasWaitingChildren(id: string): boolean {
    if (this.waiting.size === 0) return false;
    for (const childId of this.waiting)
      if ((this.docs.get(childId) as JobDocument).parents.includes(id)) return true;
    return false;
  }

  private isCurrent(id: string, version: number): boolean {
    const job = this.docs.get(id);
    return job !== undefined && job.version === version && job.status === 'scheduled';
  }

  private notify(job: JobDocument): void {
    if (this.watchers.size === 0) return;
    const change: JobChange = { id: job.id, status: job.status, cancelRequested: job.cancelRequested };
    for (const listener of this.watchers) listener(change);
  }

  private assertOpen(): void {
    if (this.closed) throw new ShutdownError('memory store');
  }
}

/** Fields of a patch that hold objects the caller may still change. */
const OBJECT_FIELDS = ['metadata', 'backoff', 'progress', 'result', 'error', 'history'] as const;

/**
 * The patch with every object value copied and frozen (primitives pass as
 * they are). A value that is the job's own stored one (already a frozen
 * copy, as a first-try success hands back its empty history) is kept.
 */
function frozenPatch(job: JobDocument, patch: JobPatch): JobPatch {
  let out: JobPatch | undefined;
  for (const field of OBJECT_FIELDS) {
    const value = patch[field];
    if (value !== null && typeof value === 'object' && value !== job[field]) {
      out ??= { ...patch };
      (out as Record<string, unknown>)[field] = frozenJson(value);
    }
  }
  return out ?? patch;
}
