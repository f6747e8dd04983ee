import {
  type Bell,
  type ClaimRequest,
  checkBells,
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
  type LeaseExtension,
  type LeaseExtensionResult,
  type NewJob,
  type QueueSubscription,
  type RingOptions,
  type Settlement,
  ShutdownError,
  type SubscribeOptions,
  type Unwatch,
  type WatchOptions,
  type WriteOptions,
} from '@jobservice/core';
import type pg from 'pg';
import * as check from './input-checks.js';
import { copyClientOf } from './job-copy.js';
import { type BulkCopy, insertJob, insertJobs } from './job-inserts.js';
import { claimJobs, extendLeases, type KeyedNames, recoverJobs, settleJobs } from './job-leases.js';
import { type JobRow, toJobDocument } from './job-row.js';
import { assertSchemaCurrent, migrateSchema } from './migrator.js';
import { Notifications } from './notifications.js';
import { type PostgresProviderOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { quoteIdentifier } from './schema-name.js';
import { READ_CLOCK, SHIFT_CLOCK } from './sql/clock.js';
import { COUNT_JOBS } from './sql/count-jobs.js';

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_NOTIFY_PAYLOAD_BYTES = 7_900;

import { DELETE_JOB, PRUNE_JOBS } from './sql/delete-job.js';
import { GET_JOB } from './sql/get-job.js';
import { NOTIFY } from './sql/notify.js';
import { buildQueryJobs } from './sql/query-jobs.js';
import { buildUpdateJob } from './sql/update-job.js';
import { type Queryable, SqlRunner } from './sql-runner.js';
import { transactionOf } from './transaction-handle.js';
import { VacuumKeeper } from './vacuum-keeper.js';

/** Helpers for tests that drive a provider's clock and connections. */
export interface PostgresTestingTools {
  /**
   * Moves the store's clock (`<schema>.now_ms()`) by `ms` for every
   * connection on this schema; resolves with the total offset.
   */
  shiftClock(ms: number): Promise<number>;
  /** The backend pid of the `LISTEN` connection, or null while it is down. */
  listenerProcessId(): number | null;
}

/**
 * The PostgreSQL store **and** doorbell queue: every store capability
 * (`insertMany`, `claim`, `settle`, `extendLeases`, `recover`, `prune`,
 * `watch`) as batched SQL,
 * and bells as one `NOTIFY` per enqueue on a dedicated `LISTEN` connection.
 * Accepts a `pg.Pool` or a connection string; owns what it creates.
 *
 * @example
 * const postgres = new PostgresProvider({ connectionString: process.env.DATABASE_URL });
 * const manager = new JobManager({ store: postgres, queue: postgres, callbacks: [SendEmail] });
 * const dispatcher = new JobDispatcher({ store: postgres, queue: postgres, callbacks: [SendEmail] });
 */
export class PostgresProvider implements IDocumentDataProvider, IQueueProvider {
  /** Starts every error message this provider raises. */
  readonly providerName = 'postgres';
  /**
   * The claim enforces concurrency keys, rate limits and name caps natively
   * and atomically across processes (see `claimWithFlow`).
   */
  readonly flowControl = true;
  /** The PostgreSQL schema holding this provider's tables. */
  readonly schema: string;
  /** Test helpers: shift the store's clock, find the listening connection. */
  readonly testing: PostgresTestingTools;
  private readonly options: ResolvedOptions;
  private readonly pool: pg.Pool;
  private readonly sql: SqlRunner;
  private readonly notifications: Notifications;
  private readonly vacuum: VacuumKeeper;
  /** Names whose last claim leased keyed jobs (see `claimJobs`). */
  private readonly keyedNames: KeyedNames = new Set();
  private readiness: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  /** @param options a connection string, or {@link PostgresProviderOptions}. */
  constructor(options: PostgresProviderOptions | string) {
    this.options = resolveOptions(options);
    this.pool = this.options.pool;
    this.schema = this.options.schema;
    this.sql = new SqlRunner(quoteIdentifier(this.schema), this.options.preparedStatements);
    this.vacuum = new VacuumKeeper(
      this.pool,
      this.sql,
      this.schema,
      this.options.vacuumDeadRows,
      this.options.logger,
    );
    this.notifications = new Notifications(
      this.schema,
      this.options.listenerConfig,
      this.options.listenerPingMs,
      this.options.logger,
    );
    this.testing = {
      shiftClock: async (ms) => {
        const db = await this.open();
        const { rows } = await this.sql.run<{ clock_offset_ms: string }>(
          db,
          SHIFT_CLOCK,
          [check.int8(ms, 'ms')],
          'shiftClock',
        );
        return Number(rows[0]?.clock_offset_ms ?? 0);
      },
      listenerProcessId: () => this.notifications.processId,
    };
  }

  /**
   * Migrates (or, with `migrate: false`, checks) the schema once; every
   * other method awaits it. Call it at startup to fail fast.
   */
  ready(): Promise<void> {
    if (this.closing) return Promise.reject(new ShutdownError('postgres: provider'));
    this.readiness ??= (
      this.options.migrate
        ? this.migrate().then(() => undefined)
        : assertSchemaCurrent(this.pool, this.sql, this.schema)
    ).catch((error) => {
      this.readiness = undefined;
      throw error;
    });
    return this.readiness;
  }

  /**
   * Applies missing migrations now (under the advisory lock); resolves with
   * the versions this call applied (`[]` when the schema was current).
   */
  migrate(): Promise<number[]> {
    return migrateSchema(this.pool, this.sql, this.schema);
  }

  async insert(job: NewJob, options?: WriteOptions): Promise<InsertResult> {
    const transaction = transactionOf(options?.transaction, 'options.transaction');
    const pool = await this.open();
    return insertJob(transaction ?? pool, this.sql, job);
  }

  /**
   * `insert`, and when the job is created, rings `bells` on this provider's
   * doorbell in the same statement (one round trip; in `options.transaction`
   * when given, so both happen when it commits). `JobManager` uses it when
   * this provider is both its store and its queue.
   */
  async insertAndRing(job: NewJob, bells: readonly Bell[], options?: WriteOptions): Promise<InsertResult> {
    checkBells(bells);
    const transaction = transactionOf(options?.transaction, 'options.transaction');
    const pool = await this.open();
    const ring =
      bells.length > 0
        ? { channel: this.notifications.bellChannel, payload: encodeBells(bells, MAX_NOTIFY_PAYLOAD_BYTES) }
        : undefined;
    return insertJob(transaction ?? pool, this.sql, job, ring);
  }

  /**
   * Inserts the batch in one statement, or, from `copyMinJobs` jobs none of
   * which has an idempotency key, with one `COPY` (see the option); through
   * `options.transaction` when given.
   */
  async insertMany(jobs: readonly NewJob[], options?: WriteOptions): Promise<InsertResult[]> {
    const transaction = transactionOf(options?.transaction, 'options.transaction');
    const pool = await this.open();
    if (Array.isArray(jobs) && jobs.length === 0) return [];
    return insertJobs(transaction ?? pool, this.sql, jobs, this.bulkCopy(transaction));
  }

  async get(id: string): Promise<JobDocument | null> {
    const key = check.text(id, 'id');
    const { rows } = await this.sql.run<JobRow>(await this.open(), GET_JOB, [key], 'get');
    return rows[0] ? toJobDocument(rows[0]) : null;
  }

  async update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null> {
    const statement = buildUpdateJob(
      check.text(id, 'id'),
      check.int4(expectedVersion, 'expectedVersion'),
      patch,
    );
    const { rows } = await this.sql.run<JobRow>(
      await this.open(),
      statement.template,
      statement.values,
      'update',
    );
    return rows[0] ? toJobDocument(rows[0]) : null;
  }

  async query(query: JobQuery): Promise<JobPage> {
    const statement = buildQueryJobs(query);
    const { rows } = await this.sql.run<JobRow>(
      await this.open(),
      statement.template,
      statement.values,
      'query',
    );
    const items = rows.slice(0, statement.limit).map(toJobDocument);
    const more = (query.order ?? 'id') === 'id' && rows.length > statement.limit;
    return { items, cursor: more ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** Retention in one statement: deletes up to `limit` terminal jobs finished before `before`. */
  async prune(before: number, limit: number): Promise<number> {
    const result = await this.sql.run(
      await this.open(),
      PRUNE_JOBS,
      [check.int8(before, 'before'), check.int4(limit, 'limit')],
      'prune',
    );
    return result.rowCount ?? 0;
  }

  /** Jobs by name and status in one statement. */
  async countJobs(): Promise<JobCount[]> {
    const { rows } = await this.sql.run<JobCount>(await this.open(), COUNT_JOBS, [], 'countJobs');
    return rows;
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const version = expectedVersion === undefined ? null : check.int4(expectedVersion, 'expectedVersion');
    const result = await this.sql.run(
      await this.open(),
      DELETE_JOB,
      [check.text(id, 'id'), version],
      'delete',
    );
    return (result.rowCount ?? 0) > 0;
  }

  async now(): Promise<number> {
    const { rows } = await this.sql.run<{ now: string }>(await this.open(), READ_CLOCK, [], 'now');
    return Number(rows[0]?.now);
  }

  async claim(request: ClaimRequest): Promise<JobDocument[]> {
    await this.open();
    return claimJobs(this.pool, this.sql, request, this.keyedNames);
  }

  async settle(settlements: readonly Settlement[]): Promise<FencedWriteResult[]> {
    if (Array.isArray(settlements) && settlements.length === 0) return [];
    const results = await settleJobs(
      await this.open(),
      this.sql,
      settlements,
      this.notifications.finishedChannel,
    );
    this.vacuum.noteSettled(results.length);
    return results;
  }

  async extendLeases(extensions: readonly LeaseExtension[]): Promise<LeaseExtensionResult[]> {
    if (Array.isArray(extensions) && extensions.length === 0) return [];
    return extendLeases(await this.open(), this.sql, extensions);
  }

  /**
   * The reaper's write in one statement: up to `limit` lapsed leases
   * (running, lease expired at the database's clock at write time; rows
   * another session holds are skipped) recovered with core's
   * `recoverPatch`. Returns the documents after the write.
   */
  async recover(limit: number): Promise<JobDocument[]> {
    const recovered = await recoverJobs(await this.open(), this.sql, limit);
    this.vacuum.noteSettled(recovered.length);
    return recovered;
  }

  async watch(listener: (change: JobChange) => void, options?: WatchOptions): Promise<Unwatch> {
    if (typeof listener !== 'function') throw new InvalidInputError('listener', 'must be a function');
    await this.open();
    return this.notifications.watch(listener, options);
  }

  /**
   * Rings bells: one `NOTIFY` per call (through `options.transaction` when
   * given, so it fires when that transaction commits).
   */
  async enqueue(bells: readonly Bell[], options?: RingOptions): Promise<void> {
    checkBells(bells);
    const transaction = transactionOf(options?.transaction, 'options.transaction');
    const pool = await this.open();
    if (bells.length === 0) return;
    await this.sql.run(
      transaction ?? pool,
      NOTIFY,
      [this.notifications.bellChannel, encodeBells(bells, MAX_NOTIFY_PAYLOAD_BYTES)],
      'enqueue',
    );
  }

  /** Delivers bells to `handler` (one subscriber per bell in this process); resolves once listening. */
  async subscribe(handler: (bell: Bell) => void, options?: SubscribeOptions): Promise<QueueSubscription> {
    if (typeof handler !== 'function') throw new InvalidInputError('handler', 'must be a function');
    await this.open();
    return this.notifications.subscribe(handler, options);
  }

  /** Ends the listening connection and, when the provider created it, the pool. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.vacuum.close();
    try {
      await this.notifications.close();
    } catch (error) {
      this.options.logger.warn('postgres: closing the LISTEN connection failed', { error });
    }
    if (this.options.ownsPool) {
      try {
        await this.pool.end();
      } catch (error) {
        this.options.logger.warn('postgres: closing the pool failed', { error });
      }
    }
  }

  /** Where `insertMany` may COPY: a pool connection, or the caller's client (none for a handle that is not a `pg` client). */
  private bulkCopy(transaction: Queryable | undefined): BulkCopy | undefined {
    const minJobs = this.options.copyMinJobs;
    if (!transaction) return { minJobs, via: { pool: this.pool } };
    const client = copyClientOf(transaction);
    return client && { minJobs, via: { transaction: client } };
  }

  /** Throws once closed; awaits the schema; returns the pool. */
  private async open(): Promise<Queryable> {
    this.assertOpen();
    await this.ready();
    return this.pool;
  }

  private assertOpen(): void {
    if (this.closing) throw new ShutdownError('postgres: provider');
  }
}
