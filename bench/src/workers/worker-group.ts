import type { SystemEnv, SystemId } from '../systems/types.js';
import { Child, type SpawnOptions } from './spawn.js';

/** Worker processes of one system, started together and counted together. */
export class WorkerGroup {
  private readonly children: Child[] = [];
  private readonly counts: number[];
  private readonly countWaiters: Array<{ target: number; resolve: () => void }> = [];
  private stopping: Promise<void> | undefined;
  private readonly readiness: Promise<void>;
  /** When the first handler started, any process (monotonic ms, see `monotonicMs`); 0 before. */
  first = 0;
  /** Called with each handler's enqueue → start delay (latency workers). */
  onLatency: (ms: number) => void = () => {};

  constructor(
    system: SystemId,
    env: SystemEnv,
    options: {
      processes: number;
      concurrency: number;
      report: 'count' | 'latency';
      profileDir?: string;
      spawn?: SpawnOptions;
    },
  ) {
    this.counts = new Array(options.processes).fill(0);
    for (let i = 0; i < options.processes; i++) {
      const child = new Child(
        {
          kind: 'worker',
          system,
          env,
          concurrency: options.concurrency,
          report: options.report,
          ...(options.profileDir ? { profileDir: options.profileDir } : {}),
        },
        options.spawn,
      );
      child.onMessage((message) => {
        if (message.type === 'count') {
          if (message.n < (this.counts[i] as number)) return; // a report from before the last go
          this.counts[i] = message.n;
          if (message.first > 0 && (this.first === 0 || message.first < this.first))
            this.first = message.first;
          this.checkCounts();
        } else if (message.type === 'latency') this.onLatency(message.ms);
      });
      this.children.push(child);
    }
    // Listen for 'ready' from the start, so a caller may await it much later.
    this.readiness = Promise.all(this.children.map((child) => child.next('ready', 10 * 60_000))).then(
      () => {},
    );
    this.readiness.catch(() => {});
  }

  /** Handler starts so far, across processes (as last reported). */
  get started(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Resolves once every process has connected and waits for `go`. */
  ready(): Promise<void> {
    return this.readiness;
  }

  /** Starts every worker (counts start again from zero). */
  go(): void {
    this.counts.fill(0);
    this.first = 0;
    for (const child of this.children) child.send({ type: 'go' });
  }

  /** Stops every worker gracefully but keeps the processes (and their connections) for the next `go`. */
  async halt(): Promise<void> {
    await Promise.all(
      this.children.map((child) => {
        const halted = child.next('halted', 60_000);
        child.send({ type: 'halt' });
        return halted;
      }),
    );
  }

  /** Resolves once `target` handlers have started (rejects if a child fails). */
  startedAtLeast(target: number, timeoutMs: number): Promise<void> {
    if (this.started >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.started} of ${target} jobs started within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const failed = this.children.map((child) => child.next('stopped', timeoutMs + 1_000));
      for (const f of failed) f.catch((error) => reject(error));
      this.countWaiters.push({
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Stops every worker gracefully and waits for the processes to exit. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        const stopped = child.next('stopped', 30_000).catch(() => undefined);
        child.send({ type: 'stop' });
        await stopped;
        await child.exit();
      }),
    );
  }

  private checkCounts(): void {
    const started = this.started;
    for (let i = this.countWaiters.length - 1; i >= 0; i--) {
      const waiter = this.countWaiters[i] as { target: number; resolve: () => void };
      if (started >= waiter.target) {
        this.countWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
