import type { ParentOutcome } from '../flow/continuation-options.js';
import type { JobDocument } from '../model/job.js';
import type { JobLogLevel } from '../model/job-log.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { Logger } from '../util/logger.js';
import type { Backoff } from './backoff.js';
import type { JobExecutionResult } from './job-execution-result.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** What a running attempt knows and can do. */
export interface JobContext<TMetadata extends JsonValue = JsonValue> {
  /** The job's id. */
  readonly jobId: string;
  /** The callback name. */
  readonly name: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** Attempts allowed in all. */
  readonly maxAttempts: number;
  /**
   * Aborted on timeout, cancellation, shutdown after the grace period, or a
   * lost lease; `signal.reason` says which. Pass it to fetch, streams, sleeps.
   */
  readonly signal: AbortSignal;
  /** The previous attempt's worker died or lost its lease mid-run (Quartz's RequestsRecovery). */
  readonly recovering: boolean;
  /** The stored job as claimed (read-only). */
  readonly job: Readonly<JobDocument<TMetadata>>;
  /** Reports progress (JSON); stored with the next heartbeat, which it hastens. */
  progress(value: JsonValue): void;
  /** The dispatcher's logger, with the job id bound. */
  readonly logger: Logger;
  /**
   * How each parent of a continuation ended (`enqueue(…, { after })`), in
   * `after` order: id, name, status (or `deleted`), result, error. Read
   * from the store when called; `[]` for a job without parents.
   */
  parents(): Promise<ParentOutcome[]>;
  /**
   * Logs a line onto the job (the newest `LOG_LIMITS.keep` kept), written
   * in a batch with the next heartbeat or the settle, emitted as a
   * dispatcher `log` event, and shown by `manager.get(id, { include: ['logs'] })`.
   */
  log(level: JobLogLevel, message: string, fields?: JsonObject): void;
}

/**
 * The base of every job callback. Label the class with
 * `@JobCallbackName('name')` (or `static jobName = 'name'`); a new instance
 * runs each attempt, with `this.metadata` set before `execute`.
 *
 * `TMetadata` must be JSON (`JsonValue`). Declare it with `type`, not
 * `interface`: an interface has no index signature, so TypeScript refuses it
 * (TS2344: "Type 'Email' does not satisfy the constraint 'JsonValue' … Index
 * signature for type 'string' is missing"). `type Email = { to: string }`
 * works, as does `interface Email extends JsonObject { to: string }`.
 *
 * @example
 * ‍@JobCallbackName('send-email')
 * class SendEmail extends BaseJobCallback<{ to: string }> {
 *   static maxAttempts = 5;
 *   async execute(ctx: JobContext) {
 *     await mailer.send(this.metadata.to, { signal: ctx.signal });
 *     return JobExecutionResult.success();
 *   }
 * }
 */
export abstract class BaseJobCallback<
  TMetadata extends JsonValue = JsonValue,
  TResult extends JsonValue | undefined = JsonValue | undefined,
> {
  /** The job's metadata, set by the dispatcher before `execute`. */
  metadata!: TMetadata;

  /**
   * Runs one attempt. A thrown error retries per the backoff;
   * `PermanentJobError` fails at once. An `async execute` that only throws
   * is inferred as `Promise<void>`, which TypeScript refuses here (TS2416:
   * "Type 'Promise<void>' is not assignable…"): annotate it,
   * `async execute(): Promise<JobExecutionResult> { … }`.
   */
  abstract execute(
    context: JobContext<TMetadata>,
  ): Promise<JobExecutionResult<TResult>> | JobExecutionResult<TResult>;
}

/**
 * Any callback instance, whatever its metadata and result types (`any` keeps
 * classes with different type arguments assignable here).
 */
// biome-ignore lint/suspicious/noExplicitAny: type arguments must stay open for variance
export type AnyJobCallback = BaseJobCallback<any, any>;

/** Constructor arguments of a callback class (free: a DI factory builds them). */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters are the factory's business
type AnyArgs = any[];

/** A callback class, with the optional static defaults the dispatcher and manager read. */
export type JobCallbackClass<TCallback extends AnyJobCallback = AnyJobCallback> = (abstract new (
  ...args: AnyArgs
) => TCallback) & {
  /** The callback name, when not given by `@JobCallbackName`. */
  jobName?: string;
  /** Default attempts in all. @default 3 */
  maxAttempts?: number;
  /** Default retry policy. @default exponential from 1 s, cap 1 h, ±20 % jitter */
  backoff?: Backoff;
  /** Default per-attempt time limit in ms. @default none */
  timeoutMs?: number;
  /** Default priority (higher first). @default 0 */
  priority?: number;
  /** Metadata a schedule's own metadata is merged over (Quartz: the job's JobDataMap). */
  defaultMetadata?: JsonValue;
  /**
   * A Standard Schema (zod, valibot, arktype…) for the metadata: `enqueue`
   * validates against it (a `MetadataValidationError` listing the issues,
   * nothing written) and the dispatcher again before each run (a job whose
   * stored metadata no longer validates fails without running). The
   * callback's `this.metadata` is the schema's output.
   */
  schema?: StandardSchemaV1;
  /** After a successful scheduled run, write `this.metadata` back to the schedule (Quartz's PersistJobDataAfterExecution). */
  persistMetadata?: boolean;
  /**
   * At most this many attempts of this callback run at once: in each
   * dispatcher (`maxParallelismScope: 'dispatcher'`, a local limit with no
   * store cost), or across every worker on the store (`'cluster'`, enforced
   * inside the store's claim). A dispatcher's `maxParallelism` option wins.
   * @default unlimited
   */
  maxParallelism?: number;
  /** Where `maxParallelism` holds. @default 'dispatcher' */
  maxParallelismScope?: 'dispatcher' | 'cluster';
  /**
   * Default rate limit for jobs of this callback, stored on each job at
   * enqueue by a manager that has the class in `callbacks` (the key
   * defaults to the callback name). An enqueue's `rateLimit` wins.
   */
  rateLimit?: { key?: string; max: number; perMs: number };
  /**
   * Default grace after `timeoutMs` before an attempt that ignores its
   * aborted signal is settled as timed out anyway. @default 5000
   */
  timeoutGraceMs?: number;
  /**
   * `worker-thread` runs each attempt in a `worker_threads` worker that is
   * terminated at the hard time limit (`timeoutMs + timeoutGraceMs`), so
   * even a handler that never yields stops. @default 'none'
   */
  isolation?: 'none' | 'worker-thread';
  /**
   * The module a `'worker-thread'` callback's worker imports to find the
   * class: set `static moduleUrl = import.meta.url` (a `file:` URL or an
   * absolute path to JavaScript Node can load).
   */
  moduleUrl?: string;
};

/**
 * The metadata type `enqueue` takes for a callback class: its `static
 * schema`'s input type when it declares one, else its `TMetadata`.
 */
export type MetadataOf<C> = C extends { schema: StandardSchemaV1<infer I, infer _O> }
  ? I extends JsonValue
    ? I
    : never
  : DeclaredMetadataOf<C>;

/** The metadata type a callback class declares as `TMetadata`. */
export type DeclaredMetadataOf<C> = C extends abstract new (
  ...args: AnyArgs
) => BaseJobCallback<infer M, infer _R>
  ? M
  : never;

/** The result type a callback class declares. */
export type ResultOf<C> = C extends abstract new (
  ...args: AnyArgs
) => BaseJobCallback<infer _M, infer R>
  ? R
  : never;
