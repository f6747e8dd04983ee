/**
 * Stable error codes. Check errors by `code` (two copies of this package may
 * be loaded in one process, which breaks `instanceof`).
 */
export type JobServiceErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'LEASE_LOST'
  | 'PROVIDER_FAILURE'
  | 'SHUT_DOWN'
  | 'DUPLICATE_CALLBACK'
  | 'UNKNOWN_CALLBACK'
  | 'JOB_FAILED'
  | 'JOB_CANCELLED'
  | 'TIMEOUT'
  | 'WORKER_EXITED';

/** The base of every error this SDK throws on purpose. */
export class JobServiceError extends Error {
  /** A stable, machine-readable code. */
  readonly code: JobServiceErrorCode;

  constructor(code: JobServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad input at a call: names the field and the fix; nothing was written. */
export class InvalidInputError extends JobServiceError {
  /** The offending field (e.g. `metadata`, `options.priority`, `name`). */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message.startsWith(field) ? message : `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A job (or other document) that does not exist. */
export class NotFoundError extends JobServiceError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found`);
  }
}

/**
 * A worker's write was fenced off: its lease token is stale or the job is no
 * longer running. The write changed nothing.
 */
export class LeaseLostError extends JobServiceError {
  constructor(jobId: string, leaseToken: number) {
    super('LEASE_LOST', `lease ${leaseToken} on job ${jobId} is no longer held; the write was rejected`);
  }
}

/** A store or queue failed; the message starts with the provider's name. */
export class ProviderError extends JobServiceError {
  constructor(provider: string, message: string, options?: { cause?: unknown }) {
    super('PROVIDER_FAILURE', `${provider}: ${message}`, options);
  }
}

/** The component was stopped or closed and cannot take this call. */
export class ShutdownError extends JobServiceError {
  constructor(what: string) {
    super('SHUT_DOWN', `${what} is stopped`);
  }
}

/**
 * Throw from a callback to fail the job at once, with no further attempts
 * (BullMQ's `UnrecoverableError`, Quartz's JobExecutionException with
 * `unscheduleAllTriggers`).
 */
export class PermanentJobError extends Error {
  /** Always `PERMANENT`: check this rather than `instanceof`. */
  readonly code = 'PERMANENT' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** `waitFor` rejects with this when the job ended `failed` or `cancelled`. */
export class JobFailedError extends JobServiceError {
  /** The job's id. */
  readonly jobId: string;
  /** The job's final status. */
  readonly status: 'failed' | 'cancelled';

  constructor(jobId: string, status: 'failed' | 'cancelled', reason: string | undefined) {
    super(
      status === 'failed' ? 'JOB_FAILED' : 'JOB_CANCELLED',
      `job ${jobId} ${status}${reason ? `: ${reason}` : ''}`,
    );
    this.jobId = jobId;
    this.status = status;
  }
}

/** True when `error` carries the given code (works across package copies). */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
