/**
 * The peer systems live in `bench/runtime` (installed by `npm run bench`,
 * resolved by `scripts/peer-resolve.mjs`), outside the workspace, so that a
 * plain `npm ci` on Node 20 never installs packages that want Node 22. The
 * type checker does not see them there: these declarations give the parts
 * the adapters use, loosely typed.
 */
declare module 'bullmq' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped peer outside the workspace
  type Loose = any;
  export class Queue {
    constructor(...args: Loose[]);
    [member: string]: Loose;
  }
  export class Worker {
    constructor(...args: Loose[]);
    [member: string]: Loose;
  }
  export const createPostgresBackend: Loose;
}

declare module 'ioredis' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped peer outside the workspace
  type Loose = any;
  export class Redis {
    constructor(...args: Loose[]);
    [member: string]: Loose;
  }
}

declare module 'graphile-worker' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped peer outside the workspace
  type Loose = any;
  export class Logger {
    constructor(...args: Loose[]);
    [member: string]: Loose;
  }
  export type WorkerUtils = Loose;
  export const makeWorkerUtils: (...args: Loose[]) => Promise<WorkerUtils>;
  export const run: (...args: Loose[]) => Promise<Loose>;
  export const runMigrations: (...args: Loose[]) => Promise<void>;
}

declare module 'pg-boss' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped peer outside the workspace
  type Loose = any;
  export class PgBoss {
    constructor(...args: Loose[]);
    [member: string]: Loose;
  }
}
