/** Child processes of a chaos run: workers (with their IPC events), busy loops, and cleanup. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreLocation } from './stores.js';
import { waitUntil } from './util.js';

/** The repository root (the workers run from here so `tsx` and the packages resolve). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL('../worker.ts', import.meta.url));

/** Settings of one worker process (see `chaos/worker.ts`). */
export interface WorkerSpec {
  /** The worker's name in events; its store `workerId` is `name:pid`. */
  name: string;
  location: StoreLocation;
  /** PostgreSQL: the ledger's connection string (direct, even when the store goes through a proxy). */
  ledgerUrl?: string;
  leaseMs: number;
  concurrency: number;
  /** Dispatcher prefetch. @default the dispatcher's default */
  prefetch?: number;
  /** Handler time range when the job gives no `ms`. */
  minMs: number;
  maxMs: number;
  /** The handler ignores its abort signal (a zombie). */
  ignoreSignal?: boolean;
}

/** One message a worker sent: `e` is the event, `t` its wall time. */
export interface WorkerEvent {
  w: string;
  pid: number;
  t: number;
  e: string;
  id?: string;
  attempt?: number;
  leaseToken?: number;
  reason?: string;
  during?: string;
  ok?: boolean | null;
  status?: string;
}

/** A running child process. */
export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<number | null>;
  /** True once it exited. */
  readonly gone: boolean;
}

const live = new Set<ChildProcess>();

/** Kills every child still running (SIGCONT first, then SIGKILL, by pid). Synchronous: safe in `exit`. */
export function killEverything(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      } catch {}
    }
  }
}
process.on('exit', killEverything);

function track(name: string, child: ChildProcess): Proc {
  live.add(child);
  const output: string[] = [];
  let gone = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      gone = true;
      live.delete(child);
      resolve(code);
    }),
  );
  child.stdout?.on('data', (chunk) => output.length < 200 && output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.length < 200 && output.push(String(chunk)));
  return {
    name,
    child,
    pid: child.pid ?? -1,
    output,
    exited,
    get gone() {
      return gone;
    },
  };
}

/** Spawns `node --import tsx <script>` from the repository root with an IPC channel. */
export function spawnTsx(name: string, script: string, env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return track(name, child);
}

/** Workers of one run; every event of every worker lands in `events` (and in `onEvent`). */
export class Fleet {
  readonly events: WorkerEvent[] = [];
  readonly procs: Proc[] = [];
  onEvent: ((event: WorkerEvent) => void) | undefined;

  /** Starts a worker and waits (at most 60 s) until its dispatcher runs. */
  async start(spec: WorkerSpec): Promise<Proc> {
    const proc = spawnTsx(spec.name, WORKER_SCRIPT, { CHAOS_WORKER: JSON.stringify(spec) });
    this.procs.push(proc);
    let ready = false;
    proc.child.on('message', (message) => {
      const event = message as WorkerEvent;
      if (event.e === 'ready') ready = true;
      this.events.push(event);
      this.onEvent?.(event);
    });
    const ok = await waitUntil(() => ready || proc.gone, 60_000, 20);
    if (!ready) {
      proc.child.kill('SIGKILL');
      const text = proc.output.join('');
      const cause = text.match(/^\w*Error[^\n]*$/m)?.[0] ?? text.slice(-300);
      throw new Error(`worker ${spec.name} ${ok ? 'exited at start' : 'did not start in 60 s'}: ${cause}`);
    }
    return proc;
  }

  /** Live workers. */
  get alive(): Proc[] {
    return this.procs.filter((p) => !p.gone);
  }

  /** Asks every live worker to stop (SIGTERM), then kills what is left after `timeoutMs`. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    for (const p of this.alive) p.child.kill('SIGTERM');
    await waitUntil(() => this.alive.length === 0, timeoutMs, 50);
    await this.killAll();
  }

  /** Kills every live worker (SIGCONT, SIGKILL) and waits for the exits. */
  async killAll(): Promise<void> {
    for (const p of this.alive) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    await Promise.all(this.procs.map((p) => p.exited));
  }
}

/** `count` CPU-bound busy loops (`node -e 'for(;;){}'`); `stop()` kills them. */
export function startBusyLoops(count: number): { stop(): Promise<void> } {
  const procs = Array.from({ length: count }, (_, i) =>
    track(`busy-${i}`, spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })),
  );
  return {
    async stop() {
      for (const p of procs) if (!p.gone) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
    },
  };
}
