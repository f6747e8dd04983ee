import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildConfig, ChildMessage, ParentMessage } from './protocol.js';

const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Options for {@link spawnChild}. */
export interface SpawnOptions {
  /** Extra Node flags (`--expose-gc`, `--cpu-prof`, …). */
  nodeFlags?: string[];
  /** Runs the child under `strace -c -f -e trace=…` and writes the summary to this file. */
  straceTo?: string;
}

/** A child process on the same Node binary (and tsx) as this one, speaking {@link ChildMessage}. */
export class Child {
  private readonly process: ChildProcess;
  private readonly listeners = new Set<(message: ChildMessage) => void>();
  private readonly exited: Promise<void>;
  private failure: string | undefined;

  constructor(config: ChildConfig, options: SpawnOptions = {}) {
    const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', childScript];
    const [command, args] = options.straceTo
      ? [
          'strace',
          ['-f', '-c', '-e', 'trace=fsync,fdatasync', '-o', options.straceTo, process.execPath, ...nodeArgs],
        ]
      : [process.execPath, nodeArgs];
    this.process = spawn(command as string, args as string[], {
      env: { ...process.env, BENCH_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'error') this.failure = message.message;
      for (const listener of this.listeners) listener(message);
    });
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
    this.exited.then(() => {
      const gone: ChildMessage = { type: 'error', message: this.failure ?? 'the child process exited' };
      for (const listener of this.listeners) listener(gone);
    });
  }

  /** Calls `listener` for every message. */
  onMessage(listener: (message: ChildMessage) => void): void {
    this.listeners.add(listener);
  }

  /** Resolves with the first message of `type`; rejects on an error message or exit. */
  next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs = 120_000,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no '${type}' from the child within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const listener = (message: ChildMessage) => {
        if (message.type === type) finish(undefined, message);
        else if (message.type === 'error') finish(new Error(message.message));
      };
      const finish = (error?: Error, message?: ChildMessage) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(message as Extract<ChildMessage, { type: T }>);
      };
      this.listeners.add(listener);
    });
  }

  /** Sends a message; ignored once the process is gone. */
  send(message: ParentMessage): void {
    if (this.process.connected) this.process.send(message);
  }

  /** Waits for the process to exit, killing it after `timeoutMs`. */
  async exit(timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs `exportName(args)` from `module` (relative to src/) in a fresh child process; resolves with its result. */
export async function runTask<T>(
  module: string,
  exportName: string,
  args: unknown,
  options: SpawnOptions = {},
): Promise<T> {
  const child = new Child({ kind: 'task', module, exportName, args }, options);
  try {
    const { value } = await child.next('result', 30 * 60_000);
    return value as T;
  } finally {
    await child.exit();
  }
}
