/** Somewhere the command writes text: `process.stdout`, `process.stderr`, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
  /** True when it is a terminal (tables are coloured, progress bars drawn). */
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  columns?: number;
}

/** What the command reads from and writes to; `run` defaults each to the process's own. */
export interface CliIo {
  /** Results: tables, JSON, summaries. */
  stdout: Output;
  /** Errors (`jobservice: …`), warnings and progress bars. */
  stderr: Output;
  /** The environment (`JOBSERVICE_STORE`, `NO_COLOR`, …). */
  env: NodeJS.ProcessEnv;
  /** The directory relative paths are resolved against. */
  cwd: string;
  /**
   * Resolves when the process is asked to stop (SIGINT or SIGTERM), with the
   * signal's name; long-running commands (`worker`, `dashboard`) wait on it.
   */
  untilStopped: () => Promise<string>;
}

/**
 * Resolves with the first of SIGINT / SIGTERM the process receives. A
 * second signal while stopping exits at once (code 130).
 */
export function untilProcessStopped(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (again: NodeJS.Signals) => {
        process.stderr.write(`jobservice: ${again} again: exiting without waiting\n`);
        process.exit(130);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** The process's own streams, environment and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    untilStopped: untilProcessStopped,
  };
}
