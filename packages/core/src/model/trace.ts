import { InvalidInputError } from '../errors.js';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) carried with a
 * job, so the span of each attempt continues the trace of the code that
 * enqueued it, in whatever process runs it. Stored as given; jobservice never
 * reads it (instrumentation such as `@jobservice/opentelemetry` does).
 */
export interface TraceCarrier {
  /** `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  traceparent: string;
  /** Vendor entries, at most {@link MAX_TRACESTATE_LENGTH} characters. */
  tracestate?: string;
}

/** The longest `tracestate` kept (the W3C limit is 32 entries of up to 256 characters; 512 is what propagators send). */
export const MAX_TRACESTATE_LENGTH = 512;

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ALL_ZERO_TRACE = /^[0-9a-f]{2}-0{32}-/;
const ALL_ZERO_PARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-0{16}-/;
const TRACESTATE_TEXT = /^[\x20-\x7e]*$/;

/**
 * Checks a trace carrier from an enqueue and returns a copy holding only
 * the two known fields; `null` for `undefined`/`null`. Throws an
 * {@link InvalidInputError} naming `field` (nothing is written then).
 */
export function checkTraceCarrier(value: unknown, field: string): TraceCarrier | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(
      field,
      'must be { traceparent, tracestate? } (W3C Trace Context), or omitted',
    );
  }
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (
    typeof traceparent !== 'string' ||
    !TRACEPARENT.test(traceparent) ||
    traceparent.startsWith('ff') ||
    ALL_ZERO_TRACE.test(traceparent) ||
    ALL_ZERO_PARENT.test(traceparent)
  ) {
    throw new InvalidInputError(
      `${field}.traceparent`,
      `must be a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, ids not all zero), got ${describe(traceparent)}`,
    );
  }
  if (tracestate === undefined || tracestate === null || tracestate === '') return { traceparent };
  if (
    typeof tracestate !== 'string' ||
    tracestate.length > MAX_TRACESTATE_LENGTH ||
    !TRACESTATE_TEXT.test(tracestate)
  ) {
    throw new InvalidInputError(
      `${field}.tracestate`,
      `must be printable ASCII of at most ${MAX_TRACESTATE_LENGTH} characters, got ${describe(tracestate)}`,
    );
  }
  return { traceparent, tracestate };
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return value.length > 80 ? `${value.length} characters` : JSON.stringify(value);
}
