import { resolve } from 'node:path';
import {
  acceptsSettlement,
  type ClaimRequest,
  type Clock,
  consoleLogger,
  extendPatch,
  type FencedWriteResult,
  type IDocumentDataProvider,
  type InsertResult,
  InvalidInputError,
  type JobChange,
  type JobCount,
  type JobDocument,
  type JobPage,
  type JobPatch,
  type JobQuery,
  JobServiceError,
  type LeaseExtension,
  type LeaseExtensionResult,
  type Logger,
  type NewJob,
  type Settlement,
  settlePatch,
  systemClock,
  type Unwatch,
  type WriteOptions,
} from '@jobservice/core';
import type { Durability } from '../io/durable-io.js';
import { fail } from '../io/root-folder.js';
import { writeBackAll } from './checkpoint.js';
import { readOrQuarantine } from './document-patch.js';
import { claimJobs, fencedWrites } from './lease-operations.js';
import { countJobs, queryJobs } from './query-operation.js';
import { RateFile } from './rate-file.js';
import { recoverJobs } from './recover-operation.js';
import { StoreEngine } from './store-engine.js';
import { deleteJob, insertJobs, pruneJobs, updateJob } from './write-operations.js';

/** Options for {@link FileSystemDocumentProvider}. */
export interface FileSystemDocumentProviderOptions {
  /**
   * The folder holding the store. Every process on this host that opens the
   * same folder shares the same jobs. Created when missing (see `create`).
   */
  root: string;
  /**
   * `full`: every state change is on disk (the index log, fdatasynced once
   * per batch and shared by concurrent calls) before the call resolves: jobs
   * survive a power loss. `relaxed`: no fsync; jobs
   * survive a process crash (`kill -9`) but not a power loss or kernel
   * crash. Use `relaxed` for tests and scratch work only.
   * @default 'full'
   */
  durability?: Durability;
  /** The store's clock (due times, leases, backoff). Tests pass a `FakeClock`. @default the system clock */
  clock?: Clock;
  /** Where corrupt documents and recoveries are reported. @default consoleLogger */
  logger?: Logger;
  /** Create `root` when it does not exist. @default true */
  create?: boolean;
  /**
   * Give up waiting for the store lock after this long (a ProviderError
   * naming the holder's pid). A holder is never overruled while alive.
   * @default 30_000
   */
  lockTimeoutMs?: number;
  /** How often to look for files left by dead processes. @default 60_000 */
  sweepIntervalMs?: number;
  /**
   * Compact the index log into a new generation once it is larger than this
   * and than 400 bytes per job. @default 8 MiB
   */
  compactBytes?: number;
  /**
   * How often a process that has not written for that long writes up to 256
   * documents back from the index log to their files in `jobs/`.
   * @default 1_000
   */
  writeBackIntervalMs?: number;
}

/**
 * A crash-safe job store in a folder, shared by the processes of one host:
 * every change is one append to an index log (the redo log, carrying the
 * new documents; one fdatasync per batch), followed by every process;
 * documents are written back to one JSON file per job in the background
 * (temp file, fsync, rename); compare-and-set across processes under a lock
 * file, and idempotency keys as exclusive files.
 * Implements every optional capability (`insertMany`, `claim`, `settle`,
 * `extendLeases`, `recover`, `prune`, `watch`). Not for network file systems.
 *
 * @example
 * const store = await FileSystemDocumentProvider.open({ root: '/var/lib/myapp/jobs' });
 * const manager = new JobManager({ store });
 */
export class FileSystemDocumentProvider implements IDocumentDataProvider {
  /** `fs`: starts every error message. */
  readonly providerName = 'fs';
  /** The store's folder (absolute). */
  readonly root: string;
  /** The durability in force. */
  readonly durability: Durability;
  /**
   * `true`: the claim enforces flow control natively, exactly across every
   * process on the root: per-key concurrency limits and `nameLimits` are
   * checked against running counts the index keeps under the store lock
   * (blocked jobs wait, parked, until a slot of their gate frees), and rate
   * limits against the starts kept in `rates.json`, written under the lock.
   */
  readonly flowControl = true;
  private readonly engine: StoreEngine;
  private readonly rates: RateFile;
  private readonly clock: Clock;
  private opening: Promise<void> | undefined;

  /** Opens a store (creating its folder when allowed) and loads its index. */
  static async open(options: FileSystemDocumentProviderOptions): Promise<FileSystemDocumentProvider> {
    const store = new FileSystemDocumentProvider(options);
    await store.ready();
    return store;
  }

  /** Creates the store; it opens on first use (or call {@link ready}). Prefer {@link open}. */
  constructor(options: FileSystemDocumentProviderOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidInputError('options', 'pass { root: "/path/to/folder" }');
    }
    if (typeof options.root !== 'string' || options.root.length === 0) {
      throw new InvalidInputError('options.root', 'must be the path of the folder that holds the store');
    }
    const durability = options.durability ?? 'full';
    if (durability !== 'full' && durability !== 'relaxed') {
      throw new InvalidInputError(
        'options.durability',
        `must be 'full' or 'relaxed', got ${String(durability)}`,
      );
    }
    this.root = resolve(options.root);
    this.durability = durability;
    this.clock = options.clock ?? systemClock;
    this.rates = new RateFile(this.root, durability === 'full');
    this.engine = new StoreEngine({
      root: this.root,
      durability,
      create: options.create ?? true,
      lockTimeoutMs: positive(options.lockTimeoutMs, 30_000, 'options.lockTimeoutMs'),
      sweepIntervalMs: positive(options.sweepIntervalMs, 60_000, 'options.sweepIntervalMs'),
      compactBytes: positive(options.compactBytes, 8 * 1024 * 1024, 'options.compactBytes'),
      writeBackIntervalMs: positive(options.writeBackIntervalMs, 1_000, 'options.writeBackIntervalMs'),
      logger: options.logger ?? consoleLogger,
    });
  }

  /** Resolves once the store is open: root checked, index loaded, leftovers swept. */
  ready(): Promise<void> {
    this.opening ??= this.engine.open();
    return this.opening;
  }

  insert(job: NewJob, options?: WriteOptions): Promise<InsertResult> {
    return this.call('insert', async () => (await insertJobs(this.engine, this.clock, [job], options))[0]!);
  }

  insertMany(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]> {
    return this.call('insertMany', () => insertJobs(this.engine, this.clock, jobs, options));
  }

  get(id: string): Promise<JobDocument | null> {
    return this.call('get', () => {
      this.engine.docs.fileOf(id);
      return readOrQuarantine(this.engine, id);
    });
  }

  update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null> {
    return this.call('update', () => updateJob(this.engine, this.clock, id, expectedVersion, patch));
  }

  query(query: JobQuery): Promise<JobPage> {
    return this.call('query', () => queryJobs(this.engine, query));
  }

  countJobs(): Promise<JobCount[]> {
    return this.call('countJobs', () => countJobs(this.engine));
  }

  delete(id: string, expectedVersion?: number): Promise<boolean> {
    return this.call('delete', () => deleteJob(this.engine, id, expectedVersion));
  }

  async now(): Promise<number> {
    return this.clock.now();
  }

  claim(request: ClaimRequest): Promise<JobDocument[]> {
    return this.call('claim', () => claimJobs(this.engine, this.clock, this.rates, request));
  }

  settle(settlements: readonly Settlement[]): Promise<FencedWriteResult[]> {
    return this.call('settle', async () => {
      const afters = await fencedWrites(
        this.engine,
        this.clock,
        settlements,
        (doc, s, now) => settlePatch(doc, s, now),
        acceptsSettlement,
      );
      return settlements.map((s, i) => ({ id: s.id, ok: afters[i] !== null }));
    });
  }

  extendLeases(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]> {
    return this.call('extendLeases', async () => {
      const afters = await fencedWrites(this.engine, this.clock, extensions, (_doc, e, now) =>
        extendPatch(e, now),
      );
      return extensions.map((e, i) => {
        const after = afters[i];
        return {
          id: e.id,
          ok: after !== null && after !== undefined,
          cancelRequested: after?.cancelRequested ?? false,
        };
      });
    });
  }

  /**
   * Recovers up to `limit` jobs whose lease lapsed (running, `leaseExpiresAt`
   * before the store's `now()`, checked under the lock) with core's
   * `recoverPatch`, in one lock hold and one commit; returns them after.
   */
  recover(limit: number): Promise<JobDocument[]> {
    return this.call('recover', () => recoverJobs(this.engine, this.clock, limit));
  }

  /** Deletes up to `limit` terminal jobs finished before `before`, in one commit. */
  prune(before: number, limit: number): Promise<number> {
    return this.call('prune', () => pruneJobs(this.engine, before, limit));
  }

  /** Reports status changes and cancel requests made by any process on this store. */
  watch(listener: (change: JobChange) => void): Promise<Unwatch> {
    return this.call('watch', async () => {
      const stop = this.engine.watch(listener);
      return async () => stop();
    });
  }

  /**
   * Writes every document that still lies in the index log back to its file
   * in `jobs/` (in turns of 256, one lock hold each) and returns how many it
   * wrote. Not needed for safety: the log is the redo log, and idle
   * processes write back in the background. Call it before copying `jobs/`
   * alone, or before deleting `index/` by hand.
   */
  checkpoint(): Promise<number> {
    return this.call('checkpoint', () => writeBackAll(this.engine, 256));
  }

  /** Closes files and watches and unregisters this process. Idempotent. */
  async close(): Promise<void> {
    try {
      await this.opening;
    } catch {
      // it never opened; still release what it holds
    }
    await this.engine.close();
  }

  private async call<T>(operation: string, run: () => Promise<T> | T): Promise<T> {
    await this.ready();
    try {
      return await run();
    } catch (error) {
      if (error instanceof JobServiceError || SDK_CODES.has((error as { code?: unknown })?.code as string)) {
        throw error;
      }
      throw fail('fs', `${operation} in ${this.root} failed`, error);
    }
  }
}

/** Codes of the SDK's own errors (checked by code: two copies of core may be loaded). */
const SDK_CODES = new Set(['INVALID_INPUT', 'NOT_FOUND', 'LEASE_LOST', 'PROVIDER_FAILURE', 'SHUT_DOWN']);

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new InvalidInputError(field, `must be a positive number, got ${String(value)}`);
  }
  return value;
}
