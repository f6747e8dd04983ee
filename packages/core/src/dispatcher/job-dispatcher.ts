import { performance } from 'node:perf_hooks';
import {
  type CallbackFactory,
  CallbackRegistry,
  defaultCallbackFactory,
} from '../callbacks/callback-registry.js';
import { InvalidInputError } from '../errors.js';
import { ChildReleaser } from '../flow/release-children.js';
import { isTerminal, type JobDocument } from '../model/job.js';
import type { JobLogEntry } from '../model/job-log.js';
import type { JsonValue } from '../model/json.js';
import type { IQueueProvider, QueueSubscription } from '../queue/queue-provider.js';
import { Scheduler } from '../scheduling/scheduler.js';
import type { Unwatch } from '../store/document-provider.js';
import { JobStore } from '../store/job-store.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { Attempt, AttemptHost } from './attempt.js';
import { AttemptSlots } from './attempt-slots.js';
import { type AttemptWrapper, AttemptWrappers } from './attempt-wrappers.js';
import { ClaimLoop } from './claim-loop.js';
import type { DispatcherEvents } from './dispatcher-events.js';
import {
  type JobDispatcherOptions,
  type ResolvedDispatcherOptions,
  resolveDispatcherOptions,
} from './dispatcher-options.js';
import { checkIsolation } from './isolation/isolated-callback.js';
import { LeaseKeeper } from './lease-keeper.js';
import { LogFlusher } from './log-flusher.js';
import { Maintenance } from './maintenance.js';
import { resolveParallelism } from './parallelism.js';
import { SettlePipeline } from './settle-pipeline.js';
import { TimeoutTimer } from './timeout-timer.js';

/** Options for {@link JobDispatcher.stop}. */
export interface StopOptions {
  /** How long running jobs may finish before their signals abort. @default the dispatcher's `graceMs` */
  graceMs?: number;
}

/** Where a dispatcher is in its life. */
export type DispatcherState = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * The worker loop: claims due jobs from the store (only names it has
 * callbacks for; never more than its free slots plus a bounded prefetch),
 * runs them, heartbeats their leases, settles them in batches, recovers
 * expired leases and prunes old jobs. A bell claims at once; an idle timer
 * claims too, so a lost bell only costs latency. It never busy-polls, and
 * its loop never throws: failures are `error` events.
 *
 * @example
 * const dispatcher = new JobDispatcher({ store, queue, callbacks: [SendEmail], concurrency: 20 });
 * dispatcher.on('failed', ({ job, error }) => log.warn(job.id, error.message));
 * await dispatcher.start();
 * process.once('SIGTERM', () => dispatcher.stop({ graceMs: 10_000 }));
 */
/** Waiting jobs one sweep round looks at. */
const SWEEP_PAGE = 200;

export class JobDispatcher extends TypedEmitter<DispatcherEvents> implements AttemptHost, AsyncDisposable {
  /** The resolved settings. */
  readonly options: ResolvedDispatcherOptions;
  /** @internal */
  readonly logger: Logger;
  /** @internal */
  readonly factory: CallbackFactory;
  private readonly registry: CallbackRegistry;
  private readonly store: JobStore;
  private readonly queue: IQueueProvider | undefined;
  private readonly names: string[];
  private readonly settles: SettlePipeline;
  private readonly slots: AttemptSlots;
  private readonly leases: LeaseKeeper;
  private readonly timeouts: TimeoutTimer;
  private readonly maintenance: Maintenance;
  private readonly scheduler: Scheduler;
  private readonly releaser: ChildReleaser;
  private waitingCursor: string | null = null;
  private lifecycle: DispatcherState = 'new';
  private accepting = false;
  private readonly claims: ClaimLoop;
  private subscription: QueueSubscription | undefined;
  private unwatch: Unwatch | undefined;
  private stopping: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly wrappers = new AttemptWrappers((e) => this.reportError(e, 'attempt wrapper'));

  constructor(options: JobDispatcherOptions) {
    super();
    this.options = resolveDispatcherOptions(options);
    this.registry = new CallbackRegistry(options.callbacks);
    if (this.registry.size === 0) {
      throw new InvalidInputError('callbacks', 'list at least one callback class for the dispatcher to run');
    }
    this.names = this.registry.names;
    const parallelism = resolveParallelism(this.registry, options.maxParallelism, options.store);
    checkIsolation(this.registry);
    this.store = new JobStore(options.store);
    this.releaser = new ChildReleaser(this.store, (job) => {
      this.ring(job, 0);
      this.claims.invalidate();
      this.claims.pump(); // a continuation this worker can run starts without waiting for a bell
    });
    const logs = new LogFlusher(this.store, (e) => this.reportError(e, 'write job logs'));
    this.queue = options.queue;
    this.logger = options.logger ?? silentLogger;
    this.factory = options.callbackFactory ?? defaultCallbackFactory;
    this.settles = new SettlePipeline(
      this.store,
      {
        emit: (event, payload) => this.emit(event, payload),
        ring: (job, delayMs) => this.ring(job, delayMs),
        reportError: (e, during) => this.reportError(e, during),
        callbackOf: (name) => this.registry.get(name),
        persistMetadata: (id, metadata, callback) => this.scheduler.persistMetadata(id, metadata, callback),
        settled: (freed) => {
          this.claims.invalidate();
          // A slot of a key or a cluster-wide cap came free: a job waiting on it may start now, not at the idle poll.
          if (freed && (freed.concurrencyKey !== null || parallelism.cluster?.[freed.name] !== undefined)) {
            this.claims.slotFreed();
          }
          this.checkIdle();
        },
        releaseChildren: async (ids) => {
          await this.releaser.afterEnded(ids);
        },
        flushLogs: (attempt) => logs.flush(attempt),
      },
      this.options.maxBatch,
    );
    this.claims = new ClaimLoop(
      this.store,
      {
        accepting: () => this.accepting,
        running: () => this.slots.running,
        buffered: () => this.slots.buffered,
        startAhead: () => this.slots.aheadWanted,
        turnoverPerMs: () => this.slots.turnoverPerMs,
        claimed: (jobs, leaseStart) => this.slots.take(jobs, leaseStart),
        error: (e, during) => this.reportError(e, during),
        roundEnded: () => this.checkIdle(),
        heldOf: (name) => this.slots.heldOf(name),
      },
      { ...this.options, names: this.names, caps: parallelism.local, nameLimits: parallelism.cluster },
    );
    this.leases = new LeaseKeeper(this.store, this.options, {
      held: () => this.slots.held.values(),
      lost: (a, reason) => this.slots.abort(a, 'lease-lost', reason),
      cancelRequested: (a) => this.slots.abort(a, 'cancelled', 'cancel requested'),
      flushLogs: (attempts) => logs.flushAll(attempts),
      error: (e) => this.reportError(e, 'heartbeat'),
    });
    this.timeouts = new TimeoutTimer((a) => this.slots.timedOut(a));
    this.slots = new AttemptSlots(
      {
        accepting: () => this.accepting,
        emit: (event, payload) => this.emit(event, payload),
        callbackOf: (name) => this.registry.get(name),
        changed: () => {
          this.claims.pump();
          this.checkIdle();
        },
        wrapStart: (job, start) => this.wrappers.run(job, start),
        flushProgress: async (attempt) => {
          await this.leases.beat(true);
          if (attempt.pendingProgress !== undefined) await this.leases.beat(true);
        },
      },
      this,
      this.settles,
      this.timeouts,
      this.options,
    );
    this.maintenance = new Maintenance(
      this.store,
      {
        recovered: (job) => {
          this.emit('recovered', { job });
          if (job.status === 'scheduled') this.ring(job, 0);
          else if (isTerminal(job.status)) {
            this.releaser.afterEnded([job.id]).catch((e) => this.reportError(e, 'release continuations'));
          }
        },
        sweepWaiting: async () => {
          await this.sweepWaiting();
        },
        pruned: (count) => this.emit('pruned', { count }),
        error: (e, during) => this.reportError(e, during),
      },
      this.options,
    );
    this.scheduler = new Scheduler(
      {
        provider: options.store,
        jobs: this.store,
        registry: this.registry,
        calendars: new Map(Object.entries(options.calendars ?? {})),
        fired: (job) => this.ring(job, 0),
        error: (e, during) => this.reportError(e, during),
      },
      this.options.scheduleCheckMs,
    );
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** `new`, `running`, `stopping` or `stopped`. */
  /**
   * Adds a wrapper around the start of every attempt's handler
   * (instrumentation: the active span, a request scope); the returned
   * function removes it. See {@link AttemptWrapper}.
   */
  wrapAttempts(wrapper: AttemptWrapper): () => void {
    if (typeof wrapper !== 'function') {
      throw new InvalidInputError('wrapper', 'must be a function (job, run) => run()');
    }
    return this.wrappers.add(wrapper);
  }

  get state(): DispatcherState {
    return this.lifecycle;
  }

  /** Jobs whose callbacks are running now. */
  get activeCount(): number {
    return this.slots.running;
  }

  /** Starts claiming: subscribes to the queue, claims what is due, starts timers. */
  async start(): Promise<void> {
    if (this.lifecycle !== 'new') {
      if (this.lifecycle === 'running') return;
      throw new InvalidInputError('dispatcher', 'a stopped dispatcher cannot start again; create a new one');
    }
    this.lifecycle = 'running';
    this.accepting = true;
    const watch = this.store.watch(
      (change) => {
        if (!change.cancelRequested) return;
        const attempt = this.slots.held.get(change.id);
        if (attempt) this.slots.abort(attempt, 'cancelled', 'cancel requested');
      },
      { cancelRequestsOnly: true },
    );
    try {
      if (watch) this.unwatch = await watch;
      if (this.queue) {
        this.subscription = await this.queue.subscribe(() => this.claims.bell(), {
          names: this.names,
          capacity: this.options.concurrency + this.options.prefetch,
        });
      }
    } catch (error) {
      this.reportError(error, 'start');
    }
    this.leases.start();
    this.maintenance.start();
    if (this.options.schedules) this.scheduler.start();
    this.claims.startIdleTimer();
    this.claims.pump();
  }

  /**
   * Stops: no new claims; unstarted prefetched jobs are released at once;
   * running jobs get `graceMs` to finish, then their signals abort and their
   * leases are released without counting the attempt. Calling it again
   * returns the same promise.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.graceMs ?? this.options.graceMs);
    return this.stopping;
  }

  /** Starts, runs until `signal` aborts, then stops gracefully. */
  async run(signal: AbortSignal): Promise<void> {
    await this.start();
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    await this.stop();
  }

  /**
   * Runs until nothing is due and everything claimed is settled (for tests
   * and scripts). On a dispatcher that was never started it runs without
   * timers or subscriptions and leaves it unstarted.
   */
  async drain(): Promise<void> {
    const ephemeral = this.lifecycle === 'new';
    if (this.lifecycle === 'stopping' || this.lifecycle === 'stopped') return;
    if (ephemeral) this.accepting = true;
    try {
      await this.releaseWaiting();
    } catch (error) {
      this.reportError(error, 'release continuations');
    }
    if (this.options.schedules) {
      try {
        await this.scheduler.runDue();
      } catch (error) {
        this.reportError(error, 'schedules');
      }
    }
    this.claims.invalidate();
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.claims.pump();
    this.checkIdle();
    await idle;
    if (ephemeral && this.lifecycle === 'new') this.accepting = false;
  }

  /**
   * Releases every continuation whose parents have all ended (to
   * `scheduled`, or `cancelled` by its policy); resolves with how many. A
   * parent's settle releases its children at once; this pass, which the
   * maintenance loop runs a page at a time every `maintenanceIntervalMs`
   * (and `drain()` runs whole), catches those a crash left waiting.
   */
  async releaseWaiting(): Promise<number> {
    let released = 0;
    let cursor: string | null = null;
    do {
      const page = await this.releaser.sweep(SWEEP_PAGE, cursor);
      released += page.released.length;
      cursor = page.cursor;
    } while (cursor);
    return released;
  }

  /** The job `id` as the store has it now (`ctx.parents()` reads parents through this). */
  readJob(id: string): Promise<JobDocument | null> {
    return this.store.get(id);
  }

  /** One page of the waiting-jobs sweep, resuming where the last one stopped. */
  private async sweepWaiting(): Promise<void> {
    const page = await this.releaser.sweep(SWEEP_PAGE, this.waitingCursor);
    this.waitingCursor = page.cursor;
  }

  /**
   * Fires every schedule of this worker's callbacks that is due now (without
   * running the jobs); resolves with the earliest next tick, or `null`. The
   * running dispatcher does this by itself; tests call it after moving time.
   */
  runSchedules(): Promise<number | null> {
    return this.scheduler.runDue();
  }

  /** Same as `stop()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** @internal */
  reportProgress(attempt: Attempt, progress: JsonValue): void {
    this.leases.progress(attempt, progress);
    this.emit('progress', { job: attempt.job, progress });
  }

  logged(attempt: Attempt, entry: JobLogEntry): void {
    this.emit('log', { job: attempt.job, entry });
  }

  protected override onListenerError(event: string, error: unknown): void {
    this.logger.error(`a '${event}' listener threw`, { error });
  }

  /** Rings the doorbell for a job that is due (again). */
  private ring(job: Pick<JobDocument, 'id' | 'name' | 'priority'>, delayMs: number): void {
    if (!this.queue || this.lifecycle === 'stopped') return;
    const bell = { id: job.id, name: job.name, priority: job.priority, notBefore: Date.now() + delayMs };
    this.queue.enqueue([bell]).catch((error) => this.reportError(error, 'ring'));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const quiet = !this.claims.busy && this.slots.empty && this.settles.idle;
    if (!quiet) return;
    if (!this.claims.confirmedEmpty && this.accepting) {
      this.claims.verify();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private reportError(error: unknown, during: string): void {
    this.logger.error(`${during} failed`, { error });
    this.emit('error', { error, during });
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.lifecycle = 'stopping';
    this.accepting = false;
    this.maintenance.stop();
    await this.step('scheduler', () => this.scheduler.stop());
    await this.step('unsubscribe', () => this.subscription?.unsubscribe());
    this.slots.releaseBuffered();
    await this.step('claim', () => this.claims.stop());
    await this.slots.whenFree(performance.now() + graceMs);
    this.slots.releaseAll();
    await this.step('settle', () => this.settles.flush());
    this.leases.stop();
    this.timeouts.stop();
    await this.step('unwatch', () => this.unwatch?.());
    this.lifecycle = 'stopped';
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.emit('stopped', {});
  }

  private async step(during: string, action: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.reportError(error, `stop: ${during}`);
    }
  }
}
