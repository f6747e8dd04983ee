/** Worker settings, read from the environment with defaults. */
export interface WorkerConfig {
  /** `CONCURRENCY`: jobs at once. */
  concurrency: number;
  /** `GRACE_MS`: how long running jobs may finish after SIGTERM. */
  graceMs: number;
  /** `DEMO_RATE`: demo jobs enqueued per second by the built-in producer (0 = none). */
  demoRate: number;
  /** `JOB_MS`: how long each demo job works. */
  jobMs: number;
  /** `STORE`: `memory` (jobs die with the process) or `fs` (a durable folder, see `STORE_ROOT`). */
  store: 'memory' | 'fs';
  /** `STORE_ROOT`: the fs store's folder. */
  storeRoot: string;
}

/** Reads {@link WorkerConfig}; a malformed value stops the process with the variable's name. */
export function readConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return {
    concurrency: int(env, 'CONCURRENCY', 4, 1),
    graceMs: int(env, 'GRACE_MS', 10_000, 0),
    demoRate: int(env, 'DEMO_RATE', 5, 0),
    jobMs: int(env, 'JOB_MS', 200, 0),
    store: storeKind(env.STORE),
    storeRoot: env.STORE_ROOT || '.jobservice-data/jobs',
  };
}

function storeKind(raw: string | undefined): 'memory' | 'fs' {
  if (raw === undefined || raw === '' || raw === 'memory') return 'memory';
  if (raw === 'fs') return 'fs';
  throw new Error(`STORE must be 'memory' or 'fs', got '${raw}'`);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number ≥ ${min}, got '${raw}'`);
  }
  return value;
}
