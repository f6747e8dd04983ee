import { JobServiceError } from '../errors.js';

/** Why a running attempt's signal was aborted. */
export type AbortCause = 'timeout' | 'cancelled' | 'shutdown' | 'lease-lost';

/** The `signal.reason` of an aborted attempt; `cause` says why. */
export class JobAbortedError extends JobServiceError {
  /** Why the attempt was aborted. */
  readonly abortCause: AbortCause;

  constructor(cause: AbortCause, detail: string) {
    super(
      cause === 'timeout'
        ? 'TIMEOUT'
        : cause === 'cancelled'
          ? 'JOB_CANCELLED'
          : cause === 'shutdown'
            ? 'SHUT_DOWN'
            : 'LEASE_LOST',
      detail,
    );
    this.abortCause = cause;
  }
}
