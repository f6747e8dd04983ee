import type { TraceCarrier } from '@jobservice/core';
import {
  type Context,
  context as contextApi,
  createTraceState,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Formats a span context as a W3C Trace Context carrier
 * (`00-<trace id>-<span id>-<flags>` plus `tracestate`), the form jobs store.
 * Done here rather than through `propagation.inject`, so the carrier is
 * W3C whatever global propagator is (or is not) registered. Returns `null`
 * for an invalid span context (no span, or a no-op tracer with no parent).
 */
export function formatTraceCarrier(spanContext: SpanContext | undefined): TraceCarrier | null {
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return null;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceCarrier = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const tracestate = spanContext.traceState?.serialize();
  if (tracestate) carrier.tracestate = tracestate;
  return carrier;
}

/**
 * Parses a stored carrier back into a remote span context, the way
 * {@link formatTraceCarrier} wrote it (any version but `ff`, W3C rules);
 * `undefined` when there is none or it is not valid.
 */
export function parseTraceCarrier(carrier: TraceCarrier | null | undefined): SpanContext | undefined {
  if (!carrier || typeof carrier.traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(carrier.traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId: traceId as string,
    spanId: spanId as string,
    traceFlags: Number.parseInt(flags as string, 16) & 0x01,
    isRemote: true,
  };
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  if (typeof carrier.tracestate === 'string' && carrier.tracestate !== '') {
    spanContext.traceState = createTraceState(carrier.tracestate);
  }
  return spanContext;
}

/**
 * The context an attempt's span starts in: the job's stored trace as the
 * remote parent, on top of `ROOT_CONTEXT` (an attempt never inherits
 * whatever context the dispatcher's claim happened to run in). A job
 * without a valid carrier starts a new trace.
 */
export function contextFromCarrier(
  carrier: TraceCarrier | null | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const parent = parseTraceCarrier(carrier);
  return parent ? trace.setSpanContext(base, parent) : base;
}

/** The active span's carrier, or `null` (for enqueueing by hand with the `trace` option). */
export function activeTraceCarrier(): TraceCarrier | null {
  return formatTraceCarrier(trace.getSpanContext(contextApi.active()));
}
