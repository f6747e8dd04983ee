import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { runInProcess } from './in-process-run.js';

/** What {@link fsThroughput} measured. */
export interface FsRun {
  rate: number;
  enqueueRate: number;
  /** fsync + fdatasync calls (in-process count) while enqueueing, per job. */
  enqueueFsyncsPerJob: number;
  /** … while running, per job. */
  runFsyncsPerJob: number;
}

const counter = { n: 0 };

/** Counts every fsync/fdatasync this process makes (callback, sync and FileHandle forms). */
async function countFsyncs(): Promise<void> {
  const wrap = <F extends (...args: never[]) => unknown>(f: F): F =>
    function (this: unknown, ...args: never[]) {
      counter.n++;
      return f.apply(this, args);
    } as F;
  const mutable = fs as unknown as Record<string, (...args: never[]) => unknown>;
  for (const name of ['fsync', 'fdatasync', 'fsyncSync', 'fdatasyncSync']) {
    mutable[name] = wrap(mutable[name] as (...args: never[]) => unknown);
  }
  syncBuiltinESMExports();
  const probe = await fs.promises.open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe) as Record<string, (...args: never[]) => unknown>;
  await probe.close();
  proto.sync = wrap(proto.sync as (...args: never[]) => unknown);
  proto.datasync = wrap(proto.datasync as (...args: never[]) => unknown);
}

/** fs store (`durable`: its default, or `relaxed`) + channel queue in this (fresh) process, in a new folder under `dir`. */
export async function fsThroughput(args: { jobs: number; durability: string; dir: string }): Promise<FsRun> {
  await countFsyncs(); // before provider-fs binds `fsync`
  const { FileSystemDocumentProvider } = await import('@jobservice/provider-fs');
  const root = join(args.dir, `fs-${args.durability}-${process.pid}-${Date.now()}`);
  const options = (args.durability === 'relaxed' ? { root, durability: 'relaxed' } : { root }) as never;
  const opener = FileSystemDocumentProvider as unknown as { open?: (o: never) => Promise<unknown> };
  const store = (
    typeof opener.open === 'function' ? await opener.open(options) : new FileSystemDocumentProvider(options)
  ) as InstanceType<typeof FileSystemDocumentProvider>;
  const queue = new ChannelQueueProvider();
  let atRun = 0;
  try {
    const run = await runInProcess(store, queue, {
      jobs: args.jobs,
      onPhase: () => {
        atRun = counter.n;
      },
    });
    return {
      ...run,
      enqueueFsyncsPerJob: atRun / args.jobs,
      runFsyncsPerJob: (counter.n - atRun) / args.jobs,
    };
  } finally {
    await queue.close();
    await store.close();
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

/** Loads provider-fs, or says why it cannot be used yet. */
export async function fsProblem(): Promise<string | null> {
  try {
    const module = await import('@jobservice/provider-fs');
    return typeof module.FileSystemDocumentProvider === 'function'
      ? null
      : '@jobservice/provider-fs exports no FileSystemDocumentProvider yet';
  } catch (error) {
    return `@jobservice/provider-fs is not usable yet (${(error as Error).message.split('\n')[0]})`;
  }
}
