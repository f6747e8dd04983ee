import { hasErrorCode } from '@jobservice/core';

/** Exit codes of the `jobservice` command. */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The operation failed, or what it names was not found. */
  failed: 1,
  /** Bad usage or configuration: nothing was attempted. */
  usage: 2,
} as const;

/** One of {@link EXIT}'s codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error the command reports as one line (`jobservice: <message>`) and
 * exits with `exitCode`.
 */
export class CliError extends Error {
  /** The process exit code for this error. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage or configuration error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** How a thrown value is reported: one line of text and an exit code. */
export interface Failure {
  /** The message, without the `jobservice: ` prefix, on one line. */
  message: string;
  exitCode: ExitCode;
}

/**
 * Turns anything thrown into one line and an exit code: a {@link CliError}
 * keeps its code; an `INVALID_INPUT` error from the SDK is a failed
 * operation (1); anything else is 1 with its message's first line.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) return { message: oneLine(error.message), exitCode: error.exitCode };
  return { message: oneLine(messageOf(error)), exitCode: EXIT.failed };
}

/** True when `error` is the SDK's "not found" error (by code, across package copies). */
export function isNotFound(error: unknown): boolean {
  return hasErrorCode(error, 'NOT_FOUND');
}

const NETWORK_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/;

/**
 * The socket error behind `error` (through `cause` and `AggregateError`),
 * when a connection could not be made; `undefined` otherwise.
 */
export function networkCause(error: unknown, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.test(code)) return error;
  if (/timeout expired|Connection terminated due to connection timeout/i.test(error.message)) return error;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = networkCause(inner, depth + 1);
      if (found) return found;
    }
  }
  return networkCause(error.cause, depth + 1);
}

/** The most useful message of an error: an `AggregateError` (a refused dual-stack connect) has an empty one. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const inner = error.errors.find((e) => e instanceof Error && e.message) as Error | undefined;
    if (inner) return inner.message;
  }
  if (error instanceof Error) {
    if (error.message) return error.message;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/** The first non-empty line of `text`, trimmed. */
export function oneLine(text: string): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? 'unknown error';
}
