/** The one interface every compared system is driven through. */

/** The ids of the systems a scenario can run. */
export type SystemId =
  | 'jobservice'
  | 'jobservice-prefetch'
  | 'jobservice-notrigger'
  | 'jobservice-both'
  | 'jobservice-redis'
  | 'jobservice-pg-rabbitmq'
  | 'graphile-worker'
  | 'pg-boss'
  | 'bullmq-postgres'
  | 'bullmq-redis'
  | 'baseline';

/** Where a system keeps this repetition's jobs. */
export interface SystemEnv {
  /** The run's own database. */
  databaseUrl: string;
  /** Redis, when one answered. */
  redisUrl: string | null;
  /** A fresh schema (PostgreSQL) or key prefix (Redis) for this repetition. */
  namespace: string;
}

/** A no-op job's payload: empty, or the enqueue instant for latency runs. */
export interface NoopPayload {
  /** `process.hrtime.bigint()` (ns, system-wide monotonic) just before the enqueue call, as a string. */
  t?: string;
}

/** Called on the first line of every no-op handler. */
export type OnJobStart = (payload: NoopPayload) => void;

/** A running worker. */
export interface WorkerHandle {
  /** Stops gracefully (in-flight completions written). */
  stop(): Promise<void>;
}

/** One system, bound to one {@link SystemEnv}, in one process. */
export interface SystemAdapter {
  /** Creates this namespace's tables/queue (parent process). */
  install(): Promise<void>;
  /** Drops them. */
  uninstall(): Promise<void>;
  /** Inserts `count` no-op jobs as fast as the system allows (not measured). */
  preload(count: number, options?: { delayMs?: number }): Promise<void>;
  /** Inserts `count` no-op jobs in one call (measured). */
  bulkEnqueue(count: number): Promise<void>;
  /** Enqueues one job (the latency producer). */
  enqueueOne(payload: NoopPayload): Promise<void>;
  /** Opens connections before a measurement starts (worker processes). */
  warm(): Promise<void>;
  /** Starts consuming with `concurrency` no-op handlers. */
  startWorker(options: { concurrency: number; onStart: OnJobStart }): Promise<WorkerHandle>;
  /** Jobs not yet recorded as finished (end-of-run detection, parent process). */
  remaining(): Promise<number>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A system as the runner sees it before binding it to an environment. */
export interface SystemModule {
  readonly id: SystemId;
  /** Name and version for the report, e.g. `graphile-worker 0.18.0`. */
  readonly label: string;
  /** The settings the report states (how it is configured for throughput). */
  settings(concurrency: number): string;
  /** Null when it can run here, else why not (printed, and the system is skipped). */
  unavailable(env: Omit<SystemEnv, 'namespace'>): Promise<string | null>;
  /** Binds it to one environment in this process. */
  create(env: SystemEnv): SystemAdapter;
}
