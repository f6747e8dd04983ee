import {
  type Bell,
  type ClaimRequest,
  checkBells,
  checkNameLimits,
  encodeBells,
  type FencedWriteResult,
  type IDocumentDataProvider,
  type InsertResult,
  InvalidInputError,
  type IQueueProvider,
  type JobChange,
  type JobCount,
  type JobDocument,
  type JobPage,
  type JobPatch,
  type JobQuery,
  JobServiceError,
  type JobStatus,
  type LeaseExtension,
  type LeaseExtensionResult,
  type NewJob,
  ProviderError,
  type QueueSubscription,
  type RingOptions,
  type Settlement,
  ShutdownError,
  type SubscribeOptions,
  type Unwatch,
  type WatchOptions,
  type WriteOptions,
} from '@jobservice/core';
import { claimArgs, extendArgs, insertArgs, settleArgs } from './batch-args.js';
import { connectOnce } from './connect.js';
import * as check from './input-checks.js';
import { decodeFields, decodeJob, encodePatch } from './job-codec.js';
import { deleteKeys } from './key-cleanup.js';
import { Notifications } from './notifications.js';
import {
  type RedisClient,
  type RedisProviderOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { buildQuery } from './query-args.js';
import { defineScripts, type ScriptCall, type ScriptName } from './scripts/index.js';

/** Helpers for tests that move the store's clock. */
export interface RedisTestingTools {
  /** Moves the store's clock (Redis `TIME` + a stored offset) by `ms` for every client on this prefix; resolves with the total offset. */
  shiftClock(ms: number): Promise<number>;
}

/** Most jobs one insert script carries (a larger `insertMany` runs several, in order). */
const INSERT_CHUNK = 1_000;

/**
 * The Redis store **and** doorbell queue: every job one hash, every state
 * change one atomic Lua script (insert, update, delete, claim, settle,
 * extendLeases, recover, prune), the store clock from Redis `TIME`, a change
 * feed and the doorbell on pub/sub. Accepts a URL, ioredis options, or an
 * existing `Redis`/`Cluster` client.
 *
 * @example
 * const redis = new RedisProvider({ url: 'redis://127.0.0.1:6379', prefix: 'myapp' });
 * const manager = new JobManager({ store: redis, queue: redis, callbacks: [SendEmail] });
 * const dispatcher = new JobDispatcher({ store: redis, queue: redis, callbacks: [SendEmail] });
 */
export class RedisProvider implements IDocumentDataProvider, IQueueProvider {
  /** Starts every error message this provider raises. */
  readonly providerName = 'redis';
  /** The key prefix (keys are `{prefix}:…`). */
  readonly prefix: string;
  /** Test helpers: shift the store's clock. */
  readonly testing: RedisTestingTools;
  private readonly options: ResolvedOptions;
  private readonly client: RedisClient;
  private readonly keys: { clock: string; changes: string; bells: string; counts: string; job: string };
  private readonly script: ScriptCall;
  private readonly notifications: Notifications;
  private readiness: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  /** @param options a `redis://` URL, or {@link RedisProviderOptions}. */
  constructor(options: RedisProviderOptions | string = {}) {
    this.options = resolveOptions(options);
    this.client = this.options.client;
    this.prefix = this.options.prefix;
    const p = this.options.keyPrefix;
    this.keys = {
      clock: `${p}:clock`,
      changes: `${p}:changes`,
      bells: `${p}:bells`,
      counts: `${p}:count`,
      job: `${p}:job:`,
    };
    this.script = defineScripts(this.client, this.keys.clock);
    this.notifications = new Notifications(this.client, this.keys, this.options);
    this.testing = {
      shiftClock: async (ms) => {
        const by = Math.round(check.finite(ms, 'ms'));
        return Number(await this.run('shiftClock', () => this.client.incrby(this.keys.clock, by)));
      },
    };
  }

  /** Connects (once, bounded by `connectTimeoutMs`); every call awaits it. Call it at startup to fail fast. */
  ready(): Promise<void> {
    if (this.closing) return Promise.reject(new ShutdownError('redis: provider'));
    this.readiness ??= connectOnce(this.client, this.options.where, this.options.connectTimeoutMs).catch(
      (error) => {
        this.readiness = undefined;
        if (this.options.ownsClient) this.client.disconnect();
        throw error;
      },
    );
    return this.readiness;
  }

  /** Inserts one job (one script: key and id uniqueness, `runAt` from the store clock). */
  async insert(job: NewJob, options?: WriteOptions): Promise<InsertResult> {
    return (await this.insertJobs([job], '', options, true))[0] as InsertResult;
  }

  /** `insert`, and when the job is created, publishes `bells` on this provider's doorbell in the same script. */
  async insertAndRing(job: NewJob, bells: readonly Bell[], options?: WriteOptions): Promise<InsertResult> {
    checkBells(bells);
    return (
      await this.insertJobs([job], bells.length > 0 ? encodeBells(bells) : '', options, true)
    )[0] as InsertResult;
  }

  /** Inserts jobs in order, up to 1,000 per script (each atomic); the first of two equal keys wins. */
  async insertMany(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]> {
    if (!Array.isArray(jobs)) throw new InvalidInputError('jobs', 'must be an array of jobs');
    return jobs.length === 0 ? [] : this.insertJobs(jobs, '', options);
  }

  /** The job (one `HGETALL`), or `null`. */
  async get(id: string): Promise<JobDocument | null> {
    const key = this.keys.job + check.text(id, 'id');
    await this.open();
    const fields = await this.run('get', () => this.client.hgetall(key));
    return fields && Object.keys(fields).length > 0 ? decodeFields(fields) : null;
  }

  /** Compare-and-set on `version` in one script (`applyJobPatch` semantics). */
  async update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null> {
    const { sets, clears } = encodePatch(patch);
    const args = [
      check.text(id, 'id'),
      String(check.finite(expectedVersion, 'expectedVersion')),
      String(sets.length / 2),
      ...sets,
      ...clears,
    ];
    const out = await this.call('update', args);
    return out ? decodeJob(out as string[]) : null;
  }

  /** Jobs matching every filter, from the narrowest index, in id order (with cursor) or claim order. */
  async query(query: JobQuery): Promise<JobPage> {
    const built = buildQuery(query);
    if (!built) return { items: [], cursor: null };
    const rows = (await this.call('query', [JSON.stringify(built)])) as string[][];
    const items = rows.slice(0, built.limit).map(decodeJob);
    const more = built.order === 'id' && rows.length > built.limit;
    return { items, cursor: more ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** Deletes a job (guarded by `expectedVersion` when given), frees its key and index entries. */
  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const version =
      expectedVersion === undefined ? '' : String(check.finite(expectedVersion, 'expectedVersion'));
    return Number(await this.call('delete', [check.text(id, 'id'), version])) === 1;
  }

  /** The store clock: Redis `TIME` plus the test offset, epoch ms. */
  async now(): Promise<number> {
    return Number(await this.call('clock', []));
  }

  /** Leases up to `limit` due jobs of `names` in claim order, in one script (core's `claimPatch`/`claimStarter`). */
  async claim(request: ClaimRequest): Promise<JobDocument[]> {
    checkNameLimits(request, request.names ?? []);
    const args = claimArgs(request);
    if (!args) return [];
    return ((await this.call('claim', args)) as string[][]).map(decodeJob);
  }

  /** Fenced settlements in one script (core's `settlePatch`); one result per settlement. */
  async settle(settlements: readonly Settlement[]): Promise<FencedWriteResult[]> {
    const args = settleArgs(settlements);
    if (settlements.length === 0) return [];
    const results = (await this.call('settle', args)) as number[];
    return settlements.map((s, i) => ({ id: s.id, ok: results[i] === 1 }));
  }

  /** Fenced heartbeats in one script; reports lost leases and cancel requests. */
  async extendLeases(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]> {
    const args = extendArgs(extensions);
    if (extensions.length === 0) return [];
    const results = (await this.call('extend', args)) as Array<[number, number]>;
    return extensions.map((e, i) => ({
      id: e.id,
      ok: results[i]?.[0] === 1,
      cancelRequested: results[i]?.[1] === 1,
    }));
  }

  /** The reaper's write in one script: up to `limit` lapsed leases recovered with core's `recoverPatch`, guarded at write time. */
  async recover(limit: number): Promise<JobDocument[]> {
    const n = check.count(limit, 'limit');
    if (n === 0) return [];
    return ((await this.call('recover', [n])) as string[][]).map(decodeJob);
  }

  /** Retention in one script: deletes up to `limit` terminal jobs finished before `before`. */
  async prune(before: number, limit: number): Promise<number> {
    const n = check.count(limit, 'limit');
    if (n === 0) return 0;
    return Number(await this.call('prune', [String(Math.floor(check.finite(before, 'before'))), n]));
  }

  /** Jobs by name and status from the counters every script keeps (one `HGETALL`, no document read). */
  async countJobs(): Promise<JobCount[]> {
    await this.open();
    const counts = await this.run('countJobs', () => this.client.hgetall(this.keys.counts));
    const out: JobCount[] = [];
    for (const [field, value] of Object.entries(counts)) {
      const at = field.indexOf(':');
      const count = Number(value);
      if (at > 0 && count > 0)
        out.push({ status: field.slice(0, at) as JobStatus, name: field.slice(at + 1), count });
    }
    return out;
  }

  /** Reports every creation, status change and cancel request, from every process on this prefix; resolves once subscribed. */
  async watch(listener: (change: JobChange) => void, _options?: WatchOptions): Promise<Unwatch> {
    if (typeof listener !== 'function') throw new InvalidInputError('listener', 'must be a function');
    await this.open();
    return this.run('watch', () => this.notifications.watch(listener));
  }

  /** Rings bells: one `PUBLISH` per call, heard by every process subscribed on this prefix. */
  async enqueue(bells: readonly Bell[], _options?: RingOptions): Promise<void> {
    checkBells(bells);
    await this.open();
    if (bells.length === 0) return;
    await this.run('enqueue', () => this.client.publish(this.keys.bells, encodeBells(bells)));
  }

  /** Delivers bells to `handler` (one subscriber per bell in this process); resolves once subscribed. */
  async subscribe(handler: (bell: Bell) => void, options?: SubscribeOptions): Promise<QueueSubscription> {
    if (typeof handler !== 'function') throw new InvalidInputError('handler', 'must be a function');
    await this.open();
    return this.run('subscribe', () => this.notifications.subscribe(handler, options));
  }

  /**
   * Deletes every key under this provider's prefix (jobs, indexes, counters,
   * the clock offset): for tests and teardown. Returns how many keys.
   */
  async deleteAllData(): Promise<number> {
    await this.open();
    return this.run('deleteAllData', () => deleteKeys(this.client, this.options.keyPrefix));
  }

  /** Ends the subscriber connection and, when the provider created it, the client. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.notifications.close();
    if (!this.options.ownsClient) return;
    try {
      if (this.client.status === 'ready') await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
  }

  /** Inserts in scripts of up to {@link INSERT_CHUNK} jobs, in order (a later chunk sees an earlier one's keys). */
  private async insertJobs(
    jobs: readonly NewJob[],
    bells: string,
    options?: WriteOptions,
    single = false,
  ): Promise<InsertResult[]> {
    // Every chunk's arguments first: a bad job anywhere writes nothing.
    const chunks: string[][] = [];
    for (let from = 0; from < jobs.length; from += INSERT_CHUNK) {
      chunks.push(insertArgs(jobs.slice(from, from + INSERT_CHUNK), bells, options, single ? null : from));
    }
    const results: InsertResult[] = [];
    for (const args of chunks) {
      const rows = (await this.call('insert', args)) as Array<[string, number]>;
      for (const [id, created] of rows) results.push({ id, created: created === 1 });
    }
    return results;
  }

  private async call(name: ScriptName, args: ReadonlyArray<string | number>): Promise<unknown> {
    await this.open();
    return this.run(name, () => this.script(name, args));
  }

  /** Runs one command, turning driver failures into a `ProviderError` naming redis and the operation. */
  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof JobServiceError) throw error;
      if (this.closing) throw new ShutdownError('redis: provider');
      const message = error instanceof Error ? error.message : String(error);
      throw new ProviderError(
        'redis',
        `${operation} failed: ${message}; check that Redis at ${this.options.where} is up (the client reconnects by itself)`,
        { cause: error },
      );
    }
  }

  private async open(): Promise<void> {
    if (this.closing) throw new ShutdownError('redis: provider');
    await this.ready();
  }
}
