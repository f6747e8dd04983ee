import type { SystemEnv, SystemId } from '../systems/types.js';

/** What a worker child is told to be (JSON in `BENCH_CHILD`). */
export type ChildConfig =
  | {
      kind: 'worker';
      system: SystemId;
      env: SystemEnv;
      concurrency: number;
      /** `count`: report handler starts every few ms; `latency`: report each start's delay at once. */
      report: 'count' | 'latency';
      /** Write a CPU profile of each go → halt span into this folder. */
      profileDir?: string;
    }
  | {
      kind: 'task';
      /** A module under src/ (relative path, `.ts`) and the export to call with `args`. */
      module: string;
      exportName: string;
      args: unknown;
    };

/** Parent → child. */
export type ParentMessage = { type: 'go' } | { type: 'halt' } | { type: 'stop' };

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'count'; n: number; first: number }
  | { type: 'latency'; ms: number }
  | { type: 'halted'; n: number }
  | { type: 'stopped'; n: number }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };
