import { hasErrorCode } from '@jobservice/core';

/** An error answered with its status and `{ error: message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Maps an SDK error to its HTTP status: NOT_FOUND → 404, INVALID_INPUT → 400, else 500. */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (hasErrorCode(error, 'NOT_FOUND')) return 404;
  if (hasErrorCode(error, 'INVALID_INPUT')) return 400;
  return 500;
}
