import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '@jobservice/core/testing';
import { afterEach } from 'vitest';
import type { PostgresProvider } from '../../src/index.js';
import { testProvider } from './database.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../fixtures/worker-process.ts', import.meta.url));

/** A message a worker process sent. */
export interface WorkerEvent {
  worker: string;
  event: string;
  id?: string;
  reason?: string;
  message?: string;
}

/** One child worker process and what it reported. */
export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  events: WorkerEvent[];
  output: string[];
  exited: Promise<number | null>;
}

/** The worker processes a test started; `killAll` ends them (by pid, SIGKILL). */
export class WorkerFleet {
  readonly workers: WorkerProcess[] = [];

  /** Starts a worker and waits until its dispatcher runs. */
  async start(config: {
    url: string;
    schema: string;
    worker: string;
    mode?: 'normal' | 'hang' | 'zombie';
    leaseMs?: number;
    concurrency?: number;
  }): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: packageDir,
      env: {
        ...process.env,
        WORKER_CONFIG: JSON.stringify({ mode: 'normal', leaseMs: 10_000, concurrency: 10, ...config }),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: WorkerProcess = {
      name: config.worker,
      child,
      events: [],
      output: [],
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    child.on('message', (message) => worker.events.push(message as WorkerEvent));
    child.stdout?.on('data', (chunk) => worker.output.push(String(chunk)));
    child.stderr?.on('data', (chunk) => worker.output.push(String(chunk)));
    this.workers.push(worker);
    let exitCode: number | null | undefined;
    void worker.exited.then((code) => {
      exitCode = code;
    });
    await eventually(
      () => {
        if (exitCode !== undefined)
          throw new Error(`${config.worker} exited early:\n${worker.output.join('')}`);
        return worker.events.some((e) => e.event === 'ready');
      },
      60_000,
      `${config.worker} to start`,
    );
    return worker;
  }

  /** Asks every live worker to stop gracefully and waits for them. */
  async stopAll(): Promise<void> {
    for (const w of this.workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(this.workers.map((w) => w.exited));
  }

  /** Kills every worker still running (SIGKILL, by pid); for cleanup after a failure. */
  async killAll(): Promise<void> {
    for (const w of this.workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGCONT');
        w.child.kill('SIGKILL');
      }
    }
    await Promise.all(this.workers.map((w) => w.exited));
  }
}

/**
 * One fleet for a test file, and the providers its tests open: after each
 * test the workers are killed and the providers closed.
 */
export function workerFleetPerTest(): { fleet: WorkerFleet; provider(): Promise<PostgresProvider> } {
  const fleet = new WorkerFleet();
  const providers: PostgresProvider[] = [];
  afterEach(async () => {
    await fleet.killAll();
    fleet.workers.length = 0;
    await Promise.all(providers.splice(0).map((p) => p.close()));
  });
  return {
    fleet,
    async provider() {
      const provider = await testProvider();
      providers.push(provider);
      return provider;
    },
  };
}
