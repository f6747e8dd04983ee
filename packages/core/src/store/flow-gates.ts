/**
 * The admission rule a claim applies to each candidate job, shared by every
 * store that claims in process (memory, files, core's fallback); SQL and
 * script stores mirror it, and the conformance kit checks that they agree.
 */
import { InvalidInputError } from '../errors.js';
import { FLOW_LIMITS, type RateLimit, rateWindow } from '../model/flow-control.js';
import type { JobDocument } from '../model/job.js';
import type { ClaimRequest } from './document-provider.js';

/** What a claim knows about the store while it decides (counts include the jobs this claim took so far). */
export interface FlowCounts {
  /** `running` jobs (reserved included) with this concurrency key. */
  runningWithKey(key: string): number;
  /** `running` jobs (reserved included) with this callback name. */
  runningWithName(name: string): number;
  /** The newest starts under this rate-limit key (ascending store times, at most `max`). */
  rateStarts(key: string): readonly number[];
}

/**
 * A candidate's fate: `admit` (claim it), `blocked` (its key or name is at
 * its limit: leave it as it is, it starts when a slot frees; `gate` names
 * what blocks it: `key:<k>` or `name:<n>`), or `defer` (its rate window is
 * full: move its `runAt` to `runAt`, keeping its place among the jobs of
 * that later time).
 */
export type Admission =
  | { kind: 'admit' }
  | { kind: 'blocked'; gate: string }
  | { kind: 'defer'; runAt: number };

/** True when `job` is subject to any flow control in this claim. */
export function isGated(
  job: Pick<JobDocument, 'name' | 'concurrencyKey' | 'rateLimit'>,
  request: ClaimRequest,
): boolean {
  return (
    job.concurrencyKey !== null || job.rateLimit !== null || request.nameLimits?.[job.name] !== undefined
  );
}

/** Decides one candidate at store time `now`; concurrency and parallelism are checked before the rate. */
export function admitJob(
  job: Pick<JobDocument, 'name' | 'concurrencyKey' | 'concurrencyLimit' | 'rateLimit'>,
  request: ClaimRequest,
  counts: FlowCounts,
  now: number,
): Admission {
  if (job.concurrencyKey !== null) {
    if (counts.runningWithKey(job.concurrencyKey) >= (job.concurrencyLimit ?? 1)) {
      return { kind: 'blocked', gate: keyGate(job.concurrencyKey) };
    }
  }
  const nameLimit = request.nameLimits?.[job.name];
  if (nameLimit !== undefined && counts.runningWithName(job.name) >= nameLimit) {
    return { kind: 'blocked', gate: nameGate(job.name) };
  }
  if (job.rateLimit !== null) {
    const starts = counts.rateStarts(job.rateLimit.key);
    if (rateWindow.room(starts, now, job.rateLimit) === 0) {
      return { kind: 'defer', runAt: rateWindow.nextStart(starts, now, job.rateLimit) };
    }
  }
  return { kind: 'admit' };
}

/**
 * Whether a claim may take `job` without starting it (reserve it). A
 * rate-limited job is claimed only to start: its start is recorded in its
 * window at the claim, so a reservation would spend the window early and
 * store a later `startedAt` than the window counted.
 */
export function mayReserve(job: Pick<JobDocument, 'rateLimit'>): boolean {
  return job.rateLimit === null;
}

/**
 * The earliest deferral one claim made (a full rate window moved a job's
 * `runAt`), reported once to `ClaimRequest.onDeferred` after the claim.
 */
export class DeferralNote {
  private earliest: { runAt: number; now: number } | undefined;

  /** A job was moved to store time `runAt` by a claim running at store time `now`. */
  add(runAt: number, now: number): void {
    if (this.earliest === undefined || runAt < this.earliest.runAt) this.earliest = { runAt, now };
  }

  /** Tells `request.onDeferred` the earliest deferral, if there was one. */
  report(request: ClaimRequest): void {
    if (this.earliest) request.onDeferred?.(this.earliest.runAt, this.earliest.now);
  }
}

/** The gate id of a concurrency key. */
export function keyGate(key: string): string {
  return `key:${key}`;
}

/** The gate id of a callback name's cluster-wide parallelism. */
export function nameGate(name: string): string {
  return `name:${name}`;
}

/**
 * In-process rate-limit windows (memory and file stores): the newest
 * starts per key.
 */
export class RateBook {
  private readonly starts = new Map<string, number[]>();

  /** The newest starts under `key`. */
  get(key: string): readonly number[] {
    return this.starts.get(key) ?? [];
  }

  /** Records a start at `now` under `limit.key`, keeping the newest `limit.max`. */
  record(limit: RateLimit, now: number): void {
    this.starts.set(limit.key, rateWindow.record(this.get(limit.key), [now], limit));
  }

  /** Every key's starts (to persist them). */
  entries(): IterableIterator<[string, number[]]> {
    return this.starts.entries();
  }

  /** Replaces one key's starts (loading persisted state). */
  set(key: string, starts: number[]): void {
    this.starts.set(key, starts);
  }
}

/**
 * Checks `request.nameLimits` (the cluster-wide caps a dispatcher sends)
 * and returns the caps of `names` that have one. Every store calls it at
 * the top of its claim, so a bad cap is an `InvalidInputError` naming the
 * field on every store, before anything is leased.
 */
export function checkNameLimits(request: ClaimRequest, names: Iterable<string>): Map<string, number> {
  const caps = new Map<string, number>();
  const limits = request.nameLimits;
  if (limits === undefined || limits === null) return caps;
  if (typeof limits !== 'object' || Array.isArray(limits)) {
    throw new InvalidInputError('request.nameLimits', 'must be an object of callback name → running cap');
  }
  for (const name of names) {
    if (!Object.hasOwn(limits, name)) continue;
    const cap = limits[name];
    if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 0 || cap > FLOW_LIMITS.maxConcurrency) {
      throw new InvalidInputError(
        `request.nameLimits.${name}`,
        `must be a whole number from 0 to ${FLOW_LIMITS.maxConcurrency}, got ${String(cap)}`,
      );
    }
    caps.set(name, cap);
  }
  return caps;
}
