import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis the tests use (`REDIS_URL`, 127.0.0.1:6379, or one started here); '' when none. */
    redisUrl: string;
    /** Why the tests skip, when `redisUrl` is ''. */
    redisSkipReason: string;
  }
}

/**
 * Uses `REDIS_URL`, else a Redis answering on 127.0.0.1:6379, else starts
 * `redis-server` from PATH on a free port in a temp dir (stopped at the
 * end). Without any, the tests skip with the printed reason — except under
 * `CI=true`, where that is a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    project.provide('redisSkipReason', '');
    return async () => {};
  }
  if (await answersPing('127.0.0.1', 6379)) {
    project.provide('redisUrl', 'redis://127.0.0.1:6379');
    project.provide('redisSkipReason', '');
    return async () => {};
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    const reason =
      'no Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and redis-server is not on PATH';
    if (process.env.CI === 'true') throw new Error(`provider-redis tests: ${reason}`);
    console.warn(`provider-redis tests skipped: ${reason}`);
    project.provide('redisUrl', '');
    project.provide('redisSkipReason', reason);
    return async () => {};
  }
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  project.provide('redisSkipReason', '');
  return server.stop;
}

/** A started `redis-server` on a free port in a fresh temp dir. */
export interface StartedRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `redis-server` with `extra` arguments; resolves once it answers PING. */
export async function startRedisServer(
  extra: string[] = [],
  dir?: string,
  port?: number,
): Promise<StartedRedis> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'jobservice-redis-')));
  const listenPort = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(listenPort), '--bind', '127.0.0.1', '--dir', folder, '--save', '', ...extra],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !(await answersPing('127.0.0.1', listenPort)); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${listenPort}`,
    port: listenPort,
    dir: folder,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!dir) await rm(folder, { recursive: true, force: true });
    },
  };
}

/** True when something on host:port answers `PING` with `+PONG`. */
export function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
