import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command line the tests run (the root `npm test` builds it first). */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What one run of the command printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run the command: extra environment and the working directory. */
export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The test environment: no colours, and no store from the outside. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    JOBSERVICE_STORE: undefined,
  };
  Object.assign(env, extra);
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/** Runs `node dist/bin.js …args` to its end. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: cliEnv(options.env), cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the command and parses its stdout as JSON (failing with its output when it did not exit 0). */
export async function runCliJson<T = unknown>(
  args: readonly string[],
  options: CliRunOptions = {},
): Promise<T> {
  const result = await runCli(args, options);
  if (result.code !== 0) {
    throw new Error(`jobservice ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** A long-running command (worker, dashboard) started in the background. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the exit code (`null` when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything printed so far, stdout then stderr. */
  output(): { stdout: string; stderr: string };
  /** Waits until stdout matches `pattern`; fails with the output when the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

const started: ChildProcess[] = [];

/** Starts `node dist/bin.js …args` in the background. */
export function startCli(args: readonly string[], options: CliRunOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(options.env),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern) {
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (ended) throw new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

/** Kills whatever {@link startCli} started and is still running (for `afterEach`). */
export function killStarted(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
