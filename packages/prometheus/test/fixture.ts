import { JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { type PrometheusMetrics, type PrometheusMetricsOptions, prometheusMetrics } from '../src/index.js';
import { Blocked, CALLBACKS, Gate } from './callbacks.js';
import { EventLog } from './event-log.js';
import { type MetricsServer, startMetricsServer } from './http-fixture.js';

/** One worker on a memory store, its metrics, and a server answering `/metrics`. */
export interface Rig {
  store: MemoryDocumentProvider;
  manager: JobManager;
  dispatcher: JobDispatcher;
  metrics: PrometheusMetrics;
  events: EventLog;
  server: MetricsServer;
  close(): Promise<void>;
}

/** Builds and starts a {@link Rig}; `close()` opens the gate, stops the worker and closes the server. */
export async function startRig(
  options: {
    store?: MemoryDocumentProvider;
    metrics?: Omit<PrometheusMetricsOptions, 'manager' | 'dispatcher'>;
  } = {},
): Promise<Rig> {
  Blocked.gate = new Gate();
  const store = options.store ?? new MemoryDocumentProvider();
  const manager = new JobManager({ store, callbacks: CALLBACKS });
  const dispatcher = new JobDispatcher({ store, callbacks: CALLBACKS, concurrency: 8, idlePollMs: 20 });
  const metrics = prometheusMetrics({ manager, dispatcher, ...options.metrics });
  const events = new EventLog(dispatcher);
  const server = await startMetricsServer(metrics.handler);
  await dispatcher.start();
  return {
    store,
    manager,
    dispatcher,
    metrics,
    events,
    server,
    async close() {
      Blocked.gate.open();
      metrics.stop();
      await dispatcher.stop({ graceMs: 1_000 });
      await server.close();
    },
  };
}
