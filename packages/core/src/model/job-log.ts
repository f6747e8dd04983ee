import { InvalidInputError } from '../errors.js';
import type { JsonObject } from './json.js';

/** How loud a job's log line is. */
export type JobLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The levels, quietest first. */
export const JOB_LOG_LEVELS: readonly JobLogLevel[] = ['debug', 'info', 'warn', 'error'];

/** One line a callback logged with `ctx.log`, as kept on its job. */
export interface JobLogEntry {
  /** When it was logged (the worker's clock, epoch ms). */
  at: number;
  level: JobLogLevel;
  message: string;
  /** The attempt that logged it. */
  attempt: number;
  /** Structured fields, when given (JSON). */
  fields?: JsonObject;
}

/** How much of a job's log is kept: the newest `keep` lines, each bounded. */
export const LOG_LIMITS = {
  /** Lines kept per job (the oldest are dropped). */
  keep: 100,
  /** Characters of a message (longer ones are cut, with a marker). */
  messageLength: 2_000,
  /** Bytes of a line's fields as JSON (larger fields are replaced by a note). */
  fieldsBytes: 4_096,
} as const;

/**
 * Builds a log line, checking the level (an {@link InvalidInputError}
 * naming `level` otherwise) and bounding the message and fields so a
 * chatty callback cannot bloat its job.
 */
export function makeLogEntry(
  level: unknown,
  message: unknown,
  fields: unknown,
  attempt: number,
  at: number,
): JobLogEntry {
  if (!JOB_LOG_LEVELS.includes(level as JobLogLevel)) {
    throw new InvalidInputError('level', `must be one of ${JOB_LOG_LEVELS.join(', ')}, got ${String(level)}`);
  }
  let text = typeof message === 'string' ? message : String(message);
  if (text.length > LOG_LIMITS.messageLength) {
    const cut = text.length - LOG_LIMITS.messageLength;
    text = `${text.slice(0, LOG_LIMITS.messageLength)}… [${cut} more characters cut]`;
  }
  const entry: JobLogEntry = { at, level: level as JobLogLevel, message: text, attempt };
  if (fields !== undefined && fields !== null) entry.fields = boundedFields(fields);
  return entry;
}

function boundedFields(fields: unknown): JsonObject {
  if (typeof fields !== 'object' || Array.isArray(fields)) return { value: String(fields) };
  let json: string | undefined;
  try {
    json = JSON.stringify(fields);
  } catch {
    return { unserializable: true };
  }
  if (json === undefined) return { unserializable: true };
  if (Buffer.byteLength(json) > LOG_LIMITS.fieldsBytes)
    return { cut: `fields of ${Buffer.byteLength(json)} bytes` };
  return JSON.parse(json) as JsonObject;
}

/** `logs` with `entries` appended, keeping the newest {@link LOG_LIMITS}.keep. */
export function appendLogs(
  logs: readonly JobLogEntry[] | undefined,
  entries: readonly JobLogEntry[],
): JobLogEntry[] {
  const all = [...(logs ?? []), ...entries];
  return all.length > LOG_LIMITS.keep ? all.slice(all.length - LOG_LIMITS.keep) : all;
}
