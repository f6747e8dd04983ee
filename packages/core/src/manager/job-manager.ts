import type {
  BaseJobCallback,
  JobCallbackClass,
  MetadataOf,
  ResultOf,
} from '../callbacks/base-job-callback.js';
import { CallbackRegistry } from '../callbacks/callback-registry.js';
import { InvalidInputError } from '../errors.js';
import { Continuations } from '../flow/continuations.js';
import { type FlowNode, type FlowSpec, planFlow } from '../flow/flow-plan.js';
import type { InsertResult, JobDocument, NewJob } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import { checkLabels } from '../model/labels.js';
import type { ScheduleDocument } from '../model/schedule.js';
import { checkTraceCarrier } from '../model/trace.js';
import type { IQueueProvider } from '../queue/queue-provider.js';
import { ScheduleManager } from '../scheduling/schedule-manager.js';
import type { ScheduleOptions } from '../scheduling/schedule-options.js';
import type { JobCount, JobPage, JobQuery, WriteOptions } from '../store/document-provider.js';
import { isInternalDocumentName } from '../store/flow-ledger.js';
import { JobStore } from '../store/job-store.js';
import type { EnqueueOptions } from './enqueue-options.js';
import { type EnqueueWrapper, EnqueueWrappers } from './enqueue-wrappers.js';
import { type CancelOutcome, cancelJob, deleteJob, retryJob } from './job-actions.js';
import { bellsFor, type Ringable, ringFor } from './job-bells.js';
import { flowControlRefusal, JobBuilder } from './job-builder.js';
import { type WaitForOptions, waitForJob } from './wait-for.js';

export type { CancelOutcome } from './job-actions.js';
export type { EnqueueItem, EnqueueResult, GetOptions, JobManagerOptions } from './manager-types.js';

import type { EnqueueItem, EnqueueResult, GetOptions, JobManagerOptions } from './manager-types.js';

/**
 * Enqueues jobs and looks after them: cancel, retry, get, list, waitFor.
 *
 * @example
 * const manager = new JobManager({ store, queue, callbacks: [SendEmail] });
 * const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' }, { delayMs: 5_000 });
 * const result = await manager.waitFor(id);
 */
export class JobManager {
  private readonly store: JobStore;
  private readonly queue: IQueueProvider | undefined;
  private readonly builder: JobBuilder;
  private readonly schedules: ScheduleManager;
  /** The store is also the queue and rings within its insert (one round trip per enqueue). */
  private readonly ringsOnInsert: boolean;
  private readonly wrappers = new EnqueueWrappers();
  private readonly continuations: Continuations;

  constructor(options: JobManagerOptions) {
    if (!options?.store) throw new InvalidInputError('store', 'is required: pass an IDocumentDataProvider');
    this.store = new JobStore(options.store);
    this.queue = options.queue;
    this.ringsOnInsert =
      options.queue !== undefined &&
      (options.queue as unknown) === options.store &&
      typeof options.store.insertAndRing === 'function';
    const registry = options.callbacks ? new CallbackRegistry(options.callbacks) : undefined;
    this.builder = new JobBuilder(registry, options.defaults ?? {}, flowControlRefusal(options.store));
    this.continuations = new Continuations(this.store, (jobs) => this.ring(jobs));
    this.schedules = new ScheduleManager(
      this.store,
      registry,
      new Map(Object.entries(options.calendars ?? {})),
    );
  }

  /**
   * Enqueues one job. With an idempotency `key` that exists, returns that
   * job's id with `created: false` and writes nothing.
   */
  enqueue<C extends JobCallbackClass>(
    callback: C,
    metadata: MetadataOf<C>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  enqueue(name: string, metadata: JsonValue, options?: EnqueueOptions): Promise<EnqueueResult>;
  async enqueue(
    callback: JobCallbackClass | string,
    metadata: JsonValue,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    const job = this.builder.build(callback, metadata, options, 'name');
    await this.builder.checkSchema(callback, job, 'metadata');
    if (job.parents) await this.continuations.checkParentsExist([job], (_, k) => `options.after[${k}]`);
    const write = options.transaction === undefined ? undefined : { transaction: options.transaction };
    const result = !this.wrappers.active
      ? await this.insertOne(job, write)
      : ((
          await this.wrappers.run([job], async () => {
            checkWrappedTrace([job]);
            return [await this.insertOne(job, write)];
          })
        )[0] as InsertResult);
    if (job.parents) await this.continuations.afterInsert([job], [result]);
    return this.withExisting(result);
  }

  /**
   * Adds a wrapper that runs around every enqueue (instrumentation: spans,
   * timings); the returned function removes it. See {@link EnqueueWrapper}.
   */
  wrapEnqueue(wrapper: EnqueueWrapper): () => void {
    if (typeof wrapper !== 'function') {
      throw new InvalidInputError('wrapper', 'must be a function (jobs, insert) => insert()');
    }
    return this.wrappers.add(wrapper);
  }

  /**
   * How many jobs there are of each callback name in each status (schedule
   * documents left out): the store's `countJobs` in one round trip where it
   * has one, else a read of every job. For gauges and dashboards.
   */
  async countJobs(): Promise<JobCount[]> {
    const counts = await this.store.countJobs();
    return counts.filter((c) => !isInternalDocumentName(c.name));
  }

  private async insertOne(job: NewJob, write: WriteOptions | undefined): Promise<InsertResult> {
    if (this.ringsOnInsert && !job.parents) return this.store.insertAndRing(job, bellsFor([job]), write);
    const result = await this.store.insert(job, write);
    if (result.created) await this.ring([job], write);
    return result;
  }

  /**
   * Enqueues many jobs in one store call; one result per item, in order
   * (a taken key's item also carries the existing job's `status` and
   * `result`). Validates all before writing any.
   */
  async enqueueMany(
    items: readonly EnqueueItem[],
    options: { transaction?: unknown } = {},
  ): Promise<EnqueueResult[]> {
    if (!Array.isArray(items))
      throw new InvalidInputError('items', 'must be an array of { callback, metadata, options }');
    const jobs = items.map((item, i) =>
      this.builder.build(
        item?.callback,
        item?.metadata,
        item?.options ?? {},
        `items[${i}].callback`,
        `items[${i}]`,
      ),
    );
    for (const [i, job] of jobs.entries()) {
      await this.builder.checkSchema(
        items[i]?.callback as JobCallbackClass | string,
        job,
        `items[${i}].metadata`,
      );
    }
    await this.continuations.checkParentsExist(jobs, (i, k) => `items[${i}].options.after[${k}]`);
    return this.insertMany(jobs, options);
  }

  /**
   * Enqueues a small DAG of jobs at once, wired by `after` (node names, or
   * ids of jobs in the store), written in one store call: all or nothing on
   * stores with a native `insertMany` (memory, file system, PostgreSQL, Redis).
   * Cycles, unknown parents and bad options are refused before anything is
   * written. Returns each node's result by name.
   *
   * @example
   * const flow = await manager.enqueueFlow({
   *   charge: { callback: Charge, metadata: { orderId: '42' } },
   *   email: { callback: Email, metadata: { orderId: '42' }, after: ['charge'] },
   *   invoice: { callback: Invoice, metadata: { orderId: '42' }, after: ['charge'] },
   *   archive: { callback: Archive, metadata: { orderId: '42' }, after: ['email', 'invoice'] },
   * });
   */
  async enqueueFlow(
    flow: FlowSpec<Omit<EnqueueOptions, 'transaction' | 'after' | 'onParentFailure' | 'key'>>,
    options: { transaction?: unknown } = {},
  ): Promise<Record<string, EnqueueResult>> {
    const plan = planFlow(flow, (node: FlowNode, name: string) =>
      this.builder.build(
        node.callback,
        node.metadata,
        node.options ?? {},
        `flow.${name}.callback`,
        `flow.${name}`,
      ),
    );
    for (const [i, job] of plan.jobs.entries()) {
      const name = plan.names[i] as string;
      await this.builder.checkSchema((flow[name] as FlowNode).callback, job, `flow.${name}.metadata`);
    }
    const own = new Set(plan.jobs.map((j) => j.id));
    await this.continuations.checkParentsExist(plan.jobs, (i, k) => `flow.${plan.names[i]}.after[${k}]`, own);
    const results = await this.insertMany(plan.jobs, options);
    return Object.fromEntries(plan.names.map((name, i) => [name, results[i] as EnqueueResult]));
  }

  /** Inserts validated jobs in one store call, rings the runnable ones, releases continuations already free. */
  private async insertMany(jobs: NewJob[], options: { transaction?: unknown }): Promise<EnqueueResult[]> {
    const write = options.transaction === undefined ? undefined : { transaction: options.transaction };
    const insert = async () => {
      const results = await this.store.insertMany(jobs, write);
      await this.ring(
        jobs.filter((job, i) => results[i]?.created && !job.parents),
        write,
      );
      return results;
    };
    const results =
      !this.wrappers.active || jobs.length === 0
        ? await insert()
        : await this.wrappers.run(jobs, () => {
            checkWrappedTrace(jobs);
            return insert();
          });
    if (jobs.some((job) => job.parents)) await this.continuations.afterInsert(jobs, results);
    return Promise.all(results.map((result) => this.withExisting(result)));
  }

  /**
   * The job, or `null`. Its `logs` (what `ctx.log` wrote) are left out
   * unless asked for with `include: ['logs']`.
   */
  get<C extends JobCallbackClass>(
    id: string,
    options?: GetOptions,
  ): Promise<JobDocument<MetadataOf<C>> | null>;
  get(id: string, options?: GetOptions): Promise<JobDocument | null>;
  async get(id: string, options: GetOptions = {}): Promise<JobDocument | null> {
    const include = options?.include ?? [];
    if (!Array.isArray(include) || include.some((part) => part !== 'logs')) {
      throw new InvalidInputError('options.include', `must be a list of 'logs', got ${String(include)}`);
    }
    const job = await this.store.get(id);
    if (!job || include.includes('logs')) return job ? { ...job, logs: job.logs ?? [] } : null;
    const { logs: _left, ...rest } = job;
    return rest as JobDocument;
  }

  /** Jobs matching a query (by status, name, labels, key, schedule; pageable by `cursor`). */
  async list(query: JobQuery = {}): Promise<JobPage> {
    if (query?.labels !== undefined) query = { ...query, labels: checkLabels(query.labels, 'query.labels') };
    const page = await this.store.provider.query(query);
    if (query.names) return page;
    return { ...page, items: page.items.filter((job) => !isInternalDocumentName(job.name)) };
  }

  /**
   * Creates or replaces the recurring schedule `id` firing `callback`: with
   * `cron` (and `timezone`), `every`, or `at`. Each tick inserts one job (key
   * `schedule id + tick`), however many dispatchers race for it.
   *
   * @example
   * await manager.schedule('nightly-report', SalesReport, { cron: '0 2 * * *', timezone: 'Europe/Berlin' });
   */
  schedule<C extends JobCallbackClass>(
    id: string,
    callback: C,
    options: ScheduleOptions & { metadata?: Partial<MetadataOf<C>> },
  ): Promise<ScheduleDocument>;
  schedule(id: string, callback: string, options: ScheduleOptions): Promise<ScheduleDocument>;
  schedule(
    id: string,
    callback: JobCallbackClass | string,
    options: ScheduleOptions,
  ): Promise<ScheduleDocument> {
    return this.schedules.schedule(id, callback, options);
  }

  /** Changes part of a schedule's options; the rest stay. */
  updateSchedule(id: string, changes: Partial<ScheduleOptions>): Promise<ScheduleDocument> {
    return this.schedules.updateSchedule(id, changes);
  }

  /** Deletes a schedule (the jobs it fired stay); returns whether it existed. */
  unschedule(id: string): Promise<boolean> {
    return this.schedules.unschedule(id);
  }

  /** Stops a schedule firing until `resume`. */
  pause(id: string): Promise<ScheduleDocument> {
    return this.schedules.pause(id);
  }

  /** Fires again from the next tick after now; ticks passed while paused are skipped. */
  resume(id: string): Promise<ScheduleDocument> {
    return this.schedules.resume(id);
  }

  /** The schedule, or `null`. */
  getSchedule(id: string): Promise<ScheduleDocument | null> {
    return this.schedules.getSchedule(id);
  }

  /** Every schedule. */
  listSchedules(): Promise<ScheduleDocument[]> {
    return this.schedules.listSchedules();
  }

  /**
   * A preview of the next `count` fire times (epoch ms on the store's clock).
   * `count` is a whole number up to `MAX_NEXT_RUNS` (1,000); anything else is
   * an `InvalidInputError` naming `count`.
   */
  nextRuns(id: string, count = 5): Promise<number[]> {
    return this.schedules.nextRuns(id, count);
  }

  /**
   * Cancels a job: a scheduled or waiting job becomes `cancelled` now (and
   * its continuations are released or cancelled by their policy); a running job is
   * marked `cancelRequested` and its worker aborts it at its next heartbeat
   * (or at once through the store's change feed). Unknown ids throw
   * `NotFoundError`.
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const outcome = await cancelJob(this.store, id);
    if (outcome === 'cancelled') await this.continuations.afterEnded([id]);
    return outcome;
  }

  /**
   * Runs a `failed` or `cancelled` job again from attempt 0, now. Returns
   * false when the job is not in one of those statuses.
   */
  async retry(id: string): Promise<boolean> {
    const job = await retryJob(this.store, id);
    if (job) await this.ring([{ id, name: job.name, priority: job.priority }]);
    return job !== null;
  }

  /**
   * Deletes a job that is not running (frees its idempotency key). A
   * running job is refused with an `InvalidInputError` naming `id` (cancel
   * it first); an unknown id throws `NotFoundError`. Its waiting
   * continuations treat it as failed (their `onParentFailure` decides).
   */
  async delete(id: string): Promise<void> {
    await deleteJob(this.store, id);
    await this.continuations.afterEnded([id]);
  }

  /**
   * Fires schedule `id` once now, beside its ticks (its next fire time
   * stays), and rings the queue: "run now" in a dashboard. Returns the
   * inserted job's id.
   */
  async runScheduleNow(id: string): Promise<InsertResult> {
    const { job, result } = await this.schedules.runNow(id);
    if (result.created) await this.ring([job]);
    return result;
  }

  /**
   * Resolves with the job's result when it completes (`null` when it
   * returned none); rejects with a `JobFailedError` when it fails or is
   * cancelled. Uses the store's change feed where it has one, else a
   * bounded poll. Name the callback to type the result:
   * `await manager.waitFor<typeof SendEmail>(id)`.
   */
  waitFor<C extends JobCallbackClass = JobCallbackClass<BaseJobCallback<JsonValue, JsonValue | undefined>>>(
    id: string,
    options?: WaitForOptions,
  ): Promise<Exclude<ResultOf<C>, undefined> | null>;
  waitFor(id: string, options: WaitForOptions = {}): Promise<JsonValue | null> {
    return waitForJob(this.store, id, options);
  }

  /** An insert that found its key taken, with the existing job's status and result (so a caller can skip work). */
  private async withExisting(result: InsertResult): Promise<EnqueueResult> {
    if (result.created) return result;
    const existing = await this.store.get(result.id);
    if (!existing) return result;
    return { ...result, status: existing.status, result: existing.result };
  }

  private ring(jobs: readonly Ringable[], write?: { transaction?: unknown }): Promise<void> {
    return ringFor(this.queue, jobs, write);
  }
}

/** A trace an enqueue wrapper set is checked like one passed as an option (nothing is written when it is bad). */
function checkWrappedTrace(jobs: readonly NewJob[]): void {
  for (const job of jobs) {
    if (job.trace !== undefined && job.trace !== null) job.trace = checkTraceCarrier(job.trace, 'trace');
  }
}
