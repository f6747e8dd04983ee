/**
 * The state transitions every store applies, in one place. Memory and file
 * stores call these directly, core's fallbacks apply them through a
 * compare-and-set `update`, and SQL stores mirror them (the conformance kit
 * checks that they agree).
 */
import type { JobDocument, JobPatch } from '../model/job.js';
import type { ClaimRequest, LeaseExtension, Settlement } from './document-provider.js';

/** True when a worker holding `leaseToken` may still write to `job`. */
export function holdsLease(job: JobDocument, leaseToken: number): boolean {
  return job.status === 'running' && job.leaseToken === leaseToken;
}

/** True when `job` is `scheduled`, due at `now`, and named in `names`. */
export function isClaimable(job: JobDocument, now: number, names: ReadonlySet<string>): boolean {
  return job.status === 'scheduled' && job.runAt <= now && names.has(job.name);
}

/** The claim write: running, attempt and lease token counted, lease set. */
export function claimPatch(job: JobDocument, request: ClaimRequest, now: number): JobPatch {
  return {
    status: 'running',
    attempt: job.attempt + 1,
    leaseToken: job.leaseToken + 1,
    leaseExpiresAt: now + request.leaseMs,
    workerId: request.workerId,
    startedAt: now,
  };
}

/** The write a fenced settlement makes (the caller checks the fence first). */
export function settlePatch(job: JobDocument, settlement: Settlement, now: number): JobPatch {
  switch (settlement.outcome) {
    case 'completed':
      return {
        status: 'completed',
        leaseExpiresAt: null,
        workerId: null,
        result: settlement.result,
        finishedAt: now,
        recovering: false,
        cancelRequested: false,
      };
    case 'failed':
      return {
        status: 'failed',
        leaseExpiresAt: null,
        workerId: null,
        error: settlement.error,
        finishedAt: now,
        recovering: false,
      };
    case 'cancelled':
      return {
        status: 'cancelled',
        leaseExpiresAt: null,
        workerId: null,
        error: settlement.error ?? job.error,
        finishedAt: now,
        recovering: false,
      };
    case 'retry':
      return {
        status: 'scheduled',
        leaseExpiresAt: null,
        workerId: null,
        runAt: now + Math.max(0, settlement.delayMs),
        error: settlement.error,
        recovering: false,
      };
    case 'release':
      return {
        status: 'scheduled',
        leaseExpiresAt: null,
        workerId: null,
        attempt: Math.max(0, job.attempt - 1),
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
 * The reaper's write for a lapsed lease: back to `scheduled` with
 * `recovering` (due now), or `failed` when no attempts are left. A job whose
 * cancel was requested ends `cancelled`.
 */
export function recoverPatch(job: JobDocument, now: number): JobPatch {
  const released = { leaseExpiresAt: null, workerId: null } as const;
  const error = { message: `lease expired on worker ${job.workerId ?? 'unknown'} (attempt ${job.attempt})` };
  if (job.cancelRequested) {
    return { ...released, status: 'cancelled', finishedAt: now, error };
  }
  if (job.attempt >= job.maxAttempts) {
    return { ...released, status: 'failed', finishedAt: now, error, recovering: true };
  }
  return { ...released, status: 'scheduled', runAt: now, recovering: true, error };
}
