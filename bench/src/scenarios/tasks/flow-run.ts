import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type EnqueueOptions,
  type IDocumentDataProvider,
  type IQueueProvider,
  JobDispatcher,
  JobManager,
  MemoryDocumentProvider,
} from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { queryOnce } from '../../env/database.js';
import { loadPostgresProvider } from '../../systems/jobservice-postgres.js';
import { NOOP, noopCallback } from '../../systems/noop-callback.js';

/** The stores the flow-control scenario runs on. */
export type FlowStore = 'memory' | 'fs' | 'postgres';

/** Arguments of {@link flowThroughput}. */
export interface FlowArgs {
  store: FlowStore;
  /** With keys: job `i` gets concurrency key `tenant:<i mod keys>`, limit 1. Without: no flow control. */
  keyed: boolean;
  jobs: number;
  keys: number;
  concurrency: number;
  /** Scratch folder (fs store). */
  dir: string;
  /** The run's database and a fresh schema (PostgreSQL; dropped afterwards). */
  databaseUrl: string;
  schema: string;
}

/** What {@link flowThroughput} measured. */
export interface FlowRun {
  /** Jobs per second in the run phase (dispatcher start → last `completed` event). */
  rate: number;
  /** Jobs per second while enqueueing (enqueueMany in chunks of 5k). */
  enqueueRate: number;
  /** Keyed: the most jobs of one key whose stored `startedAt`–`finishedAt` overlapped; 0 unkeyed. */
  maxPerKey: number;
  /** Keyed: how many keys ran at least one job. */
  keysSeen: number;
}

/** No completion for this long fails the run (a claim that never frees a key would otherwise hang it). */
const STALL_MS = 60_000;

interface Opened {
  store: IDocumentDataProvider;
  queue: IQueueProvider;
  close(): Promise<void>;
  /** Before the timed phase (PostgreSQL: VACUUM ANALYZE of the fresh table). */
  settle(): Promise<void>;
}

async function open(args: FlowArgs): Promise<Opened> {
  if (args.store === 'memory') {
    const store = new MemoryDocumentProvider();
    const queue = new ChannelQueueProvider();
    return {
      store,
      queue,
      settle: async () => {},
      async close() {
        await queue.close();
        await store.close();
      },
    };
  }
  if (args.store === 'fs') {
    const { FileSystemDocumentProvider } = await import('@jobservice/provider-fs');
    const root = join(args.dir, `flow-${args.keyed ? 'keyed' : 'unkeyed'}-${process.pid}-${Date.now()}`);
    const store = await FileSystemDocumentProvider.open({ root });
    const queue = new ChannelQueueProvider();
    return {
      store,
      queue,
      settle: async () => {},
      async close() {
        await queue.close();
        await store.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  const Provider = await loadPostgresProvider();
  if (typeof Provider === 'string') throw new Error(Provider);
  const provider = new Provider({ connectionString: args.databaseUrl, schema: args.schema });
  await provider.ready();
  return {
    store: provider,
    queue: provider,
    settle: () => queryOnce(args.databaseUrl, `VACUUM ANALYZE "${args.schema}".jobs`).then(() => {}),
    async close() {
      await provider.close();
      await queryOnce(args.databaseUrl, `DROP SCHEMA IF EXISTS "${args.schema}" CASCADE`);
    },
  };
}

/**
 * One process: pre-inserts `jobs` no-op jobs (keyed or not), then times one
 * dispatcher (concurrency `concurrency`, other options default) from
 * `start()` to the last `completed` event. Keyed runs then check, from the
 * stored `startedAt`/`finishedAt` of every job, that no two jobs of one key
 * overlapped — a run that broke the limit throws instead of returning a rate.
 */
export async function flowThroughput(args: FlowArgs): Promise<FlowRun> {
  const opened = await open(args);
  try {
    const { store, queue } = opened;
    const manager = new JobManager({ store, queue });
    const optionsOf = (i: number): EnqueueOptions | undefined =>
      args.keyed ? { concurrencyKey: `tenant:${i % args.keys}`, concurrencyLimit: 1 } : undefined;
    const enqueueStarted = performance.now();
    for (let done = 0; done < args.jobs; done += 5_000) {
      const size = Math.min(5_000, args.jobs - done);
      await manager.enqueueMany(
        Array.from({ length: size }, (_, k) => ({
          callback: NOOP,
          metadata: {},
          options: optionsOf(done + k),
        })),
      );
    }
    const enqueueRate = (args.jobs / (performance.now() - enqueueStarted)) * 1000;
    await opened.settle();
    const dispatcher = new JobDispatcher({
      store,
      queue,
      callbacks: [noopCallback()],
      concurrency: args.concurrency,
    });
    let completed = 0;
    let lastProgress = performance.now();
    let failure: unknown;
    const done = new Promise<void>((resolve) => {
      dispatcher.on('completed', () => {
        lastProgress = performance.now();
        if (++completed === args.jobs) resolve();
      });
      dispatcher.on('error', ({ error }) => {
        failure ??= error;
        resolve();
      });
    });
    const started = performance.now();
    await dispatcher.start();
    await Promise.race([
      done,
      stalled(() => {
        if (performance.now() - lastProgress > STALL_MS) {
          failure ??= new Error(
            `stalled: ${completed} of ${args.jobs} jobs completed, none in ${STALL_MS} ms`,
          );
        }
        return failure !== undefined || completed === args.jobs;
      }),
    ]);
    const elapsed = performance.now() - started;
    await dispatcher.stop({ graceMs: 5_000 });
    if (failure) throw failure;
    const intervals = args.keyed ? await storedIntervals(store) : new Map();
    const maxPerKey = args.keyed ? mostAtOnce(intervals) : 0;
    const counted = [...intervals.values()].reduce((n, list) => n + list.length, 0);
    if (args.keyed && counted !== args.jobs) {
      throw new Error(`the store lists ${counted} completed keyed jobs, expected ${args.jobs}`);
    }
    if (args.keyed && !(maxPerKey <= 1)) {
      throw new Error(`limit broken: up to ${maxPerKey} jobs of one key overlapped (limit 1)`);
    }
    return { rate: (args.jobs / elapsed) * 1000, enqueueRate, maxPerKey, keysSeen: intervals.size };
  } finally {
    await opened.close();
  }
}

/** Every completed job's stored `startedAt`–`finishedAt`, by concurrency key (read after the timed phase). */
async function storedIntervals(store: IDocumentDataProvider): Promise<Map<string, Array<[number, number]>>> {
  const byKey = new Map<string, Array<[number, number]>>();
  let cursor: string | null = null;
  do {
    const page = await store.query({ names: [NOOP], statuses: ['completed'], limit: 1_000, cursor });
    for (const job of page.items) {
      if (job.concurrencyKey === null) continue;
      const list = byKey.get(job.concurrencyKey) ?? [];
      list.push([job.startedAt ?? Number.NaN, job.finishedAt ?? Number.NaN]);
      byKey.set(job.concurrencyKey, list);
    }
    cursor = page.cursor;
  } while (cursor !== null);
  return byKey;
}

/** Resolves once `over()` is true (polled every 200 ms). */
async function stalled(over: () => boolean): Promise<void> {
  while (!over()) await new Promise((resolve) => setTimeout(resolve, 200));
}

/**
 * The most intervals of one key open at once (an end at the same instant as
 * a start does not overlap it); NaN when a job lacks its stored times.
 */
export function mostAtOnce(intervals: ReadonlyMap<string, Array<[number, number]>>): number {
  let most = 0;
  for (const list of intervals.values()) {
    const edges: Array<[number, number]> = [];
    for (const [start, end] of list) {
      if (!Number.isFinite(start) || !Number.isFinite(end)) return Number.NaN;
      edges.push([start, 1], [end, -1]);
    }
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    for (const [, step] of edges) {
      open += step;
      most = Math.max(most, open);
    }
  }
  return most;
}
