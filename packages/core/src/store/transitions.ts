/**
 * The state transitions every store applies, in one place. Memory and file
 * stores call these directly, core's fallbacks apply them through a
 * compare-and-set `update`, and SQL stores mirror them (the conformance kit
 * checks that they agree).
 */

import { InvalidInputError } from '../errors.js';
import { type AttemptRecord, appendHistory, type JobDocument, type JobPatch } from '../model/job.js';
import type { ClaimRequest, LeaseExtension, Settlement } from './document-provider.js';

/** True when a worker holding `leaseToken` may still write to `job`. */
export function holdsLease(job: JobDocument, leaseToken: number): boolean {
  return job.status === 'running' && job.leaseToken === leaseToken;
}

/**
 * True when `settlement` may be written to `job`: the lease is held, and a
 * `start` finds the job reserved.
 */
export function acceptsSettlement(job: JobDocument, settlement: Settlement): boolean {
  return holdsLease(job, settlement.leaseToken) && (settlement.outcome !== 'start' || job.reserved);
}

/** True when `job` is `scheduled`, due at `now`, and named in `names`. */
export function isClaimable(job: JobDocument, now: number, names: ReadonlySet<string>): boolean {
  return job.status === 'scheduled' && job.runAt <= now && names.has(job.name);
}

/**
 * The claim write: running, lease token counted, lease set. `start` says
 * whether this job starts now (attempt counted, `startedAt = now`) or is
 * reserved (attempt left as it is until a `start` settlement).
 */
export function claimPatch(job: JobDocument, request: ClaimRequest, now: number, start = true): JobPatch {
  const patch: JobPatch = {
    status: 'running',
    leaseToken: job.leaseToken + 1,
    leaseExpiresAt: now + request.leaseMs,
    workerId: request.workerId,
    reserved: !start,
  };
  if (start) {
    patch.attempt = job.attempt + 1;
    patch.startedAt = now;
  }
  return patch;
}

/**
 * How many of a claim's `limit` jobs start at once (the rest are reserved):
 * `request.start` clamped to `0…limit`, `limit` when absent. Anything but a
 * number is an {@link InvalidInputError} naming `request.start`.
 */
export function claimStartCount(request: ClaimRequest): number {
  const start = request.start ?? request.limit;
  if (typeof start !== 'number' || Number.isNaN(start)) {
    throw new InvalidInputError('request.start', `must be a number of jobs to start, got ${String(start)}`);
  }
  return Math.max(0, Math.min(request.limit, Math.floor(start)));
}

/** How many jobs after the first `start` a claim may start ahead (`request.startAhead`, 0 when absent). */
export function claimAheadCount(request: ClaimRequest): number {
  const ahead = request.startAhead ?? 0;
  if (typeof ahead !== 'number' || Number.isNaN(ahead)) {
    throw new InvalidInputError('request.startAhead', `must be a number of jobs, got ${String(ahead)}`);
  }
  return Math.max(0, Math.floor(ahead));
}

/**
 * True when `job` may be started ahead of a free slot: it was never
 * recovered and has an attempt to spare, so a crash before its handler runs
 * costs it one attempt at most and never fails it.
 */
export function mayStartAhead(job: Pick<JobDocument, 'recovering' | 'attempt' | 'maxAttempts'>): boolean {
  return !job.recovering && job.attempt + 2 <= job.maxAttempts;
}

/**
 * Decides, for a claim, whether the claimed job at `index` (0-based, in
 * claim order among the jobs this claim leases) starts now: one of the
 * first `start`, or one of the next `startAhead` that {@link mayStartAhead}.
 * Validates the request once; every store's claim decides with it.
 */
export function claimStarter(request: ClaimRequest): (index: number, job: JobDocument) => boolean {
  const start = claimStartCount(request);
  const end = start + claimAheadCount(request);
  return (index, job) => index < start || (index < end && mayStartAhead(job));
}

/** The history record of `job`'s current attempt, ended at `now` with `outcome`. */
export function attemptRecord(
  job: JobDocument,
  outcome: NonNullable<AttemptRecord['outcome']>,
  error: AttemptRecord['error'],
  now: number,
): AttemptRecord {
  return { attempt: job.attempt, outcome, startedAt: job.startedAt, workerId: job.workerId, error, at: now };
}

/** True for the settlement outcomes that end a job (`completed`, `failed`, `cancelled`). */
export function endsJob(outcome: Settlement['outcome']): boolean {
  return outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled';
}

/** The write a fenced settlement makes (the caller checks the fence with {@link acceptsSettlement}). */
export function settlePatch(job: JobDocument, settlement: Settlement, now: number): JobPatch {
  switch (settlement.outcome) {
    case 'completed':
      return {
        status: 'completed',
        leaseExpiresAt: null,
        workerId: null,
        reserved: false,
        result: settlement.result,
        error: null,
        // A first-try success adds no record (its startedAt and finishedAt are the attempt's):
        // the common case pays no history write; a job with earlier attempts gets the whole story.
        history:
          job.history.length === 0
            ? job.history
            : appendHistory(job.history, attemptRecord(job, 'completed', null, now)),
        finishedAt: now,
        recovering: false,
        cancelRequested: false,
      };
    case 'failed':
      return {
        status: 'failed',
        leaseExpiresAt: null,
        workerId: null,
        reserved: false,
        error: settlement.error,
        history: appendHistory(job.history, attemptRecord(job, 'failed', settlement.error, now)),
        finishedAt: now,
        recovering: false,
      };
    case 'cancelled':
      return {
        status: 'cancelled',
        leaseExpiresAt: null,
        workerId: null,
        reserved: false,
        error: settlement.error ?? job.error,
        history: job.reserved
          ? job.history
          : appendHistory(job.history, attemptRecord(job, 'cancelled', settlement.error ?? null, now)),
        finishedAt: now,
        recovering: false,
      };
    case 'retry':
      return {
        status: 'scheduled',
        leaseExpiresAt: null,
        workerId: null,
        reserved: false,
        runAt: now + Math.max(0, settlement.delayMs),
        error: settlement.error,
        history: appendHistory(job.history, attemptRecord(job, 'failed', settlement.error, now)),
        recovering: false,
      };
    case 'release':
      return {
        status: 'scheduled',
        leaseExpiresAt: null,
        workerId: null,
        reserved: false,
        attempt: job.reserved ? job.attempt : Math.max(0, job.attempt - 1),
      };
    case 'start':
      return {
        reserved: false,
        attempt: job.attempt + 1,
        startedAt: now,
        leaseExpiresAt: now + settlement.leaseMs,
      };
  }
}

/** The heartbeat write: a new lease expiry and, when given, progress. */
export function extendPatch(extension: LeaseExtension, now: number): JobPatch {
  const patch: JobPatch = { leaseExpiresAt: now + extension.leaseMs };
  if (extension.progress !== undefined) patch.progress = extension.progress;
  return patch;
}

/** True when the reaper may recover `job` at `now`: running with a lapsed lease. */
export function isLeaseExpired(job: JobDocument, now: number): boolean {
  return job.status === 'running' && job.leaseExpiresAt !== null && job.leaseExpiresAt < now;
}

/**
 * The reaper's write for a lapsed lease. A reserved job (never started) goes
 * back to `scheduled` as it was: attempt, `recovering` and error untouched.
 * A started job goes back to `scheduled` keeping its `runAt` and priority
 * (it runs before later work) with `recovering` set and the lapse recorded
 * in its history, or to `failed` when its attempts are spent. A job whose
 * cancel was requested ends `cancelled`.
 */
export function recoverPatch(job: JobDocument, now: number): JobPatch {
  const released = { leaseExpiresAt: null, workerId: null, reserved: false } as const;
  if (job.cancelRequested) {
    const error = { message: `cancelled: its worker ${job.workerId ?? 'unknown'} lost the lease` };
    const history = job.reserved
      ? job.history
      : appendHistory(job.history, attemptRecord(job, 'lease-expired', error, now));
    return { ...released, status: 'cancelled', finishedAt: now, error, history };
  }
  if (job.reserved) return { ...released, status: 'scheduled' };
  const error = { message: `lease expired on worker ${job.workerId ?? 'unknown'} (attempt ${job.attempt})` };
  const history = appendHistory(job.history, attemptRecord(job, 'lease-expired', error, now));
  if (job.attempt >= job.maxAttempts) {
    return { ...released, status: 'failed', finishedAt: now, error, history, recovering: true };
  }
  return { ...released, status: 'scheduled', recovering: true, error, history };
}
