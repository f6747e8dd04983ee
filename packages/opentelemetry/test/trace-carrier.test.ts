import { checkTraceCarrier, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { createTraceState, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { formatTraceCarrier, instrument, parseTraceCarrier } from '../src/index.js';
import { dispatcherFor, recordEnds, SendEmail } from './support.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('trace carriers', () => {
  it('formats a span context as a W3C traceparent core accepts, and parses it back', () => {
    const carrier = formatTraceCarrier({
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      traceState: createTraceState('vendor=a1,other=b2'),
    });
    expect(carrier).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=a1,other=b2' });
    expect(checkTraceCarrier(carrier, 'trace')).toEqual(carrier);

    const parsed = parseTraceCarrier(carrier);
    expect(parsed).toMatchObject({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parsed?.traceState?.serialize()).toBe('vendor=a1,other=b2');
  });

  it('keeps an unsampled flag and leaves out an empty tracestate', () => {
    const carrier = formatTraceCarrier({ traceId, spanId, traceFlags: TraceFlags.NONE });
    expect(carrier).toEqual({ traceparent: `00-${traceId}-${spanId}-00` });
    expect(parseTraceCarrier(carrier)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('gives null for an invalid span context and undefined for carriers it cannot read', () => {
    expect(formatTraceCarrier(undefined)).toBeNull();
    expect(formatTraceCarrier({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).toBeNull();
    for (const traceparent of [
      'nonsense',
      `ff-${traceId}-${spanId}-01`,
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId}-${spanId}-01-extra`,
    ]) {
      expect(parseTraceCarrier({ traceparent })).toBeUndefined();
    }
    expect(parseTraceCarrier(null)).toBeUndefined();
    // A later version may append fields; its first four are read.
    expect(parseTraceCarrier({ traceparent: `01-${traceId}-${spanId}-01-extra` })?.spanId).toBe(spanId);
  });

  it('records nothing and stores no trace without an SDK (the global no-op providers)', async () => {
    const store = new MemoryDocumentProvider();
    const manager = new JobManager({ store, callbacks: [SendEmail] });
    const dispatcher = dispatcherFor(store);
    const stop = instrument({ manager, dispatcher });
    const ends = recordEnds(dispatcher);
    try {
      await dispatcher.start();
      const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' });
      await ends.until('completed', id);
      expect((await manager.get(id))?.trace).toBeNull();
      expect(await manager.waitFor(id)).toEqual({ sent: 'ada@example.com' });
    } finally {
      stop();
      await dispatcher.stop();
      await store.close();
    }
  });
});
