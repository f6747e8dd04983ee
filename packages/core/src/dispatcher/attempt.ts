import type { AnyJobCallback, JobCallbackClass, JobContext } from '../callbacks/base-job-callback.js';
import type { CallbackFactory } from '../callbacks/callback-registry.js';
import type { JobExecutionResult } from '../callbacks/job-execution-result.js';
import { validateMetadata } from '../callbacks/standard-schema.js';
import { PermanentJobError } from '../errors.js';
import { type ParentOutcome, parentOutcome } from '../flow/continuation-options.js';
import { INPUT_LIMITS } from '../model/input-limits.js';
import type { JobDocument, JobError } from '../model/job.js';
import { type JobLogEntry, type JobLogLevel, LOG_LIMITS, makeLogEntry } from '../model/job-log.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { mutableMetadata } from '../util/json-copy.js';
import type { Logger } from '../util/logger.js';
import { type AbortCause, JobAbortedError } from './abort-reasons.js';
import { IsolatedCallback, isIsolated } from './isolation/isolated-callback.js';

/** How an attempt's callback ended, before policy turns it into a settlement. */
export type AttemptEnd =
  | { kind: 'result'; result: JobExecutionResult }
  | { kind: 'threw'; error: unknown }
  | { kind: 'aborted'; cause: AbortCause; reason: JobAbortedError };

/** Hooks an attempt calls back into its dispatcher. */
export interface AttemptHost {
  readonly logger: Logger;
  readonly factory: CallbackFactory;
  /** Stores progress with the next heartbeat. */
  reportProgress(attempt: Attempt, progress: JsonValue): void;
  /** Reads a job as the store has it now. */
  readJob(id: string): Promise<JobDocument | null>;
  /** A line was logged (the host emits it; the line waits in the attempt for the next flush). */
  logged(attempt: Attempt, entry: JobLogEntry): void;
}

/**
 * One run of one claimed job. Per-job objects (AbortController, logger
 * binding) are made only when the callback asks for them.
 */
export class Attempt implements JobContext {
  /** The callback instance running this attempt (once started). */
  instance: AnyJobCallback | undefined;
  /** Local time (performance.now) until which the lease is known to hold. */
  leaseValidUntil: number;
  /** Progress waiting for the next heartbeat. */
  pendingProgress: JsonValue | undefined;
  /** Log lines waiting for the next heartbeat or the settle. */
  private pendingLogs: JobLogEntry[] | undefined;
  /** Set once the attempt's outcome has been handed to the settler. */
  settled = false;
  /** The handler has returned or thrown. */
  handlerEnded = false;
  /** Its slot was freed before its handler ended (a hard time limit, or a grace after cancel). */
  letGo = false;
  /** Local time the callback started; 0 until then. */
  startedAtLocal = 0;
  /** The local deadline of `timeoutMs`, or `Infinity`. */
  timeoutAt = Number.POSITIVE_INFINITY;
  /**
   * `reserved`: leased, handler not started, no attempt counted (a
   * prefetched job); `starting`: its fenced start write is in flight;
   * `ready`: counted, waiting a moment for a slot (started ahead);
   * `running`: the attempt is counted and the handler runs (or ran).
   */
  phase: 'reserved' | 'starting' | 'ready' | 'running';
  private controller: AbortController | undefined;
  private abortReason: JobAbortedError | undefined;
  private boundLogger: Logger | undefined;

  constructor(
    /** The job as this worker knows it (updated when a reserved attempt starts). */
    public job: JobDocument,
    private readonly callback: JobCallbackClass,
    private readonly host: AttemptHost,
    leaseValidUntil: number,
  ) {
    this.leaseValidUntil = leaseValidUntil;
    this.phase = job.reserved ? 'reserved' : 'running';
  }

  /**
   * The start write landed: the attempt is counted and the lease renewed
   * (known to hold until `leaseValidUntil`, local time). The store set
   * `startedAt` on its clock; this copy, not having read it back, holds
   * `startedAt: null` rather than the claim's (an earlier attempt's) time.
   */
  started(leaseValidUntil: number): void {
    const job = this.job;
    this.job = { ...job, reserved: false, attempt: job.attempt + 1, startedAt: null };
    this.leaseValidUntil = Math.max(this.leaseValidUntil, leaseValidUntil);
    this.phase = 'ready';
  }

  get jobId(): string {
    return this.job.id;
  }

  get name(): string {
    return this.job.name;
  }

  get attempt(): number {
    return this.job.attempt;
  }

  get maxAttempts(): number {
    return this.job.maxAttempts;
  }

  get recovering(): boolean {
    return this.job.recovering;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** How each of the job's parents ended, in `after` order (`[]` for a job without parents). */
  async parents(): Promise<ParentOutcome[]> {
    return Promise.all(this.job.parents.map(async (id) => parentOutcome(id, await this.host.readJob(id))));
  }

  get logger(): Logger {
    if (!this.boundLogger) {
      const base = this.host.logger;
      const fields = { jobId: this.job.id, name: this.job.name, attempt: this.job.attempt };
      this.boundLogger = {
        debug: (m, f) => base.debug(m, { ...fields, ...f }),
        info: (m, f) => base.info(m, { ...fields, ...f }),
        warn: (m, f) => base.warn(m, { ...fields, ...f }),
        error: (m, f) => base.error(m, { ...fields, ...f }),
      };
    }
    return this.boundLogger;
  }

  /** The reason this attempt was aborted, if it was. */
  get aborted(): JobAbortedError | undefined {
    return this.abortReason;
  }

  progress(value: JsonValue): void {
    if (this.settled) return;
    this.host.reportProgress(this, value);
  }

  /**
   * Logs a line onto the job (kept with its newest `LOG_LIMITS.keep`),
   * written with the next heartbeat or the settle, and emitted as a `log`
   * event at once. A bad level throws an `InvalidInputError` naming `level`.
   */
  log(level: JobLogLevel, message: string, fields?: JsonObject): void {
    const entry = makeLogEntry(level, message, fields, this.job.attempt, Date.now());
    if (this.settled) return;
    this.pendingLogs ??= [];
    this.pendingLogs.push(entry);
    if (this.pendingLogs.length > LOG_LIMITS.keep) this.pendingLogs.shift();
    this.host.logged(this, entry);
  }

  /** True when lines wait to be written. */
  get hasPendingLogs(): boolean {
    return this.pendingLogs !== undefined && this.pendingLogs.length > 0;
  }

  /** Hands over the pending lines (for one write) and clears them. */
  takeLogs(): JobLogEntry[] {
    const entries = this.pendingLogs ?? [];
    this.pendingLogs = undefined;
    return entries;
  }

  /** Aborts the callback's signal; the first cause wins. */
  abort(cause: AbortCause, detail: string): void {
    if (this.abortReason) return;
    this.abortReason = new JobAbortedError(cause, detail);
    this.controller?.abort(this.abortReason);
  }

  /**
   * Runs the callback and reports how it ended (never throws). A callback
   * that returns synchronously ends synchronously: no promise per job.
   */
  run(onEnd: (end: AttemptEnd) => void): void {
    const schema = this.callback.schema;
    if (schema === undefined) {
      this.build(this.job.metadata, onEnd);
      return;
    }
    validateMetadata(schema, this.job.metadata, 'metadata', this.job.name).then(
      (value) => this.build(value, onEnd),
      (error: unknown) =>
        onEnd({
          kind: 'threw',
          error: new PermanentJobError(
            `the stored metadata no longer validates, so the job was not run: ${(error as Error).message}`,
            { cause: error },
          ),
        }),
    );
  }

  /** Builds the callback instance and executes it with `metadata`. */
  private build(metadata: unknown, onEnd: (end: AttemptEnd) => void): void {
    let built: AnyJobCallback | Promise<AnyJobCallback>;
    try {
      built = isIsolated(this.callback)
        ? (new IsolatedCallback(this.callback) as unknown as AnyJobCallback)
        : this.host.factory(this.callback, this.job);
    } catch (error) {
      onEnd({ kind: 'threw', error });
      return;
    }
    if (isPromiseLike(built)) {
      (built as PromiseLike<AnyJobCallback>).then(
        (instance) => this.execute(instance, metadata, onEnd),
        (error: unknown) => onEnd({ kind: 'threw', error }),
      );
    } else {
      this.execute(built, metadata, onEnd);
    }
  }

  private execute(instance: AnyJobCallback, metadata: unknown, onEnd: (end: AttemptEnd) => void): void {
    let returned: unknown;
    try {
      instance.metadata = metadata === this.job.metadata ? mutableMetadata(this.job.metadata) : metadata;
      this.instance = instance;
      returned = instance.execute(this);
    } catch (error) {
      onEnd({ kind: 'threw', error });
      return;
    }
    if (isPromiseLike(returned)) {
      returned.then(
        (result) => onEnd(this.toEnd(result)),
        (error: unknown) => onEnd({ kind: 'threw', error }),
      );
    } else {
      onEnd(this.toEnd(returned));
    }
  }

  private toEnd(result: unknown): AttemptEnd {
    if (isExecutionResult(result)) return { kind: 'result', result };
    return {
      kind: 'threw',
      error: new TypeError(
        `${this.callback.name}.execute must return a JobExecutionResult (success, retry or fail); got ${describe(result)}`,
      ),
    };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

function isExecutionResult(value: unknown): value is JobExecutionResult {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'success' || kind === 'retry' || kind === 'fail';
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? 'an object without kind' : typeof value;
}

/**
 * Turns a thrown value into the stored error shape: message, name (or
 * `code`) and stack, each cut to the documented limits
 * (`INPUT_LIMITS.errorMessageChars`, `errorStackChars`) with a marker, so a
 * huge message or a deep stack cannot bloat the job document. The stack is
 * kept because it is what an operator needs; it names the worker's source
 * paths.
 */
export function toJobError(error: unknown): JobError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: bounded(String(error.message), INPUT_LIMITS.errorMessageChars),
      name: bounded(typeof code === 'string' ? code : error.name, 200),
      ...(error.stack ? { stack: bounded(error.stack, INPUT_LIMITS.errorStackChars) } : {}),
    };
  }
  const text = typeof error === 'string' ? error : (safeStringify(error) ?? String(error));
  return { message: bounded(text, INPUT_LIMITS.errorMessageChars) };
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** `text` cut to `max` characters (never inside a surrogate pair), with a marker saying how much was cut. */
function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… [${text.length - end} more characters cut]`;
}
