import { performance } from 'node:perf_hooks';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { JobDocument } from '../model/job.js';
import { clampTimerDelay } from '../util/timer-limit.js';
import type { AbortCause } from './abort-reasons.js';
import { Attempt, type AttemptEnd, type AttemptHost } from './attempt.js';
import type { DispatcherEvents } from './dispatcher-events.js';
import type { SettlePipeline } from './settle-pipeline.js';
import { decideSettlement, type SettlementDecision } from './settlement-policy.js';
import type { TimeoutTimer } from './timeout-timer.js';

/** What the slots ask of their dispatcher. */
export interface SlotsHost {
  /** False once stopping: nothing new starts. */
  accepting(): boolean;
  emit<K extends keyof DispatcherEvents>(event: K, payload: DispatcherEvents[K]): void;
  callbackOf(name: string): JobCallbackClass | undefined;
  /** A slot came free or a job was handed back: claim more, check for idle. */
  changed(): void;
  /** Writes the attempt's pending progress (a heartbeat) before it is settled. */
  flushProgress(attempt: Attempt): Promise<void>;
}

/**
 * The jobs a dispatcher holds and the slots they run in. Jobs a claim
 * started (counted in the claim write) take the free slots the claim was
 * sized for; reserved (prefetched) jobs wait in a buffer, uncounted, and
 * take a slot only after their fenced start write lands. An attempt that
 * is aborted before its handler started is handed back, not abandoned.
 */
export class AttemptSlots {
  /** Every attempt whose lease this worker holds. */
  readonly held = new Map<string, Attempt>();
  /** Reserved attempts waiting for a slot. */
  private readonly buffer: Attempt[] = [];
  /** Slots in use: running handlers and reserved jobs being started. */
  private inUse = 0;
  private readonly freed = new Set<() => void>();

  constructor(
    private readonly host: SlotsHost,
    private readonly attemptHost: AttemptHost,
    private readonly settles: SettlePipeline,
    private readonly timeouts: TimeoutTimer,
    private readonly options: { concurrency: number; leaseMs: number },
  ) {}

  /** Slots in use. */
  get running(): number {
    return this.inUse;
  }

  /** Reserved jobs waiting for a slot. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Nothing held, running or waiting. */
  get empty(): boolean {
    return this.inUse === 0 && this.buffer.length === 0 && this.held.size === 0;
  }

  /** Takes freshly leased jobs (their lease known to hold until `leaseStart + leaseMs`, local time). */
  take(jobs: JobDocument[], leaseStart: number): void {
    const reserved: Attempt[] = [];
    for (const job of jobs) {
      const callback = this.host.callbackOf(job.name) as JobCallbackClass;
      const attempt = new Attempt(job, callback, this.attemptHost, leaseStart + this.options.leaseMs);
      this.held.set(job.id, attempt);
      if (!this.host.accepting()) this.abort(attempt, 'shutdown', 'dispatcher stopping');
      else if (attempt.phase === 'running') this.run(attempt);
      else reserved.push(attempt);
    }
    for (const attempt of reserved) {
      if (attempt.settled) continue;
      if (this.inUse < this.options.concurrency) this.startReserved(attempt);
      else this.buffer.push(attempt);
    }
  }

  /**
   * Aborts an attempt and settles it by its cause. A reserved attempt (its
   * handler never started) is handed back uncounted, unless cancelled.
   */
  abort(attempt: Attempt, cause: AbortCause, detail: string): void {
    if (attempt.settled) return;
    attempt.abort(cause, detail);
    const index = this.buffer.indexOf(attempt);
    if (index >= 0) this.buffer.splice(index, 1);
    const handBack = attempt.phase === 'reserved' && cause !== 'cancelled';
    this.settle(
      attempt,
      handBack
        ? { event: 'released', outcome: { outcome: 'release' } }
        : decideSettlement(
            attempt.job,
            { kind: 'aborted', cause, reason: attempt.aborted! },
            this.host.callbackOf(attempt.job.name),
          ),
    );
  }

  /** Hands back every reserved job that waits for a slot (stopping). */
  releaseBuffered(): void {
    for (const attempt of this.buffer.splice(0)) this.abort(attempt, 'shutdown', 'dispatcher stopping');
  }

  /** Aborts and hands back everything still held (after the grace period). */
  releaseAll(): void {
    for (const attempt of [...this.held.values()]) this.abort(attempt, 'shutdown', 'dispatcher stopped');
  }

  /** Resolves when no slot is in use, or at `deadline` (local time). */
  async whenFree(deadline: number): Promise<void> {
    while (this.inUse > 0 && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, clampTimerDelay(deadline - performance.now()));
        const freed = this.freed;
        function done() {
          clearTimeout(timer);
          freed.delete(done);
          resolve();
        }
        freed.add(done);
      });
    }
  }

  /** Takes a slot for a reserved attempt and runs it once its start write lands. */
  private startReserved(attempt: Attempt): void {
    this.inUse++;
    attempt.phase = 'starting';
    const sentAt = performance.now();
    this.settles.start(attempt, this.options.leaseMs, (outcome) => {
      if (attempt.settled) return this.slotFreed();
      if (outcome === 'lost') {
        this.settle(attempt, { event: 'leaseLost', reason: 'the lease was lost before the job started' });
        return this.slotFreed();
      }
      if (outcome === 'error' || !this.host.accepting()) {
        // The start may or may not have landed; a release is right either way.
        attempt.phase = 'reserved';
        this.abort(attempt, 'shutdown', outcome === 'error' ? 'start write failed' : 'dispatcher stopping');
        return this.slotFreed();
      }
      attempt.started(sentAt + this.options.leaseMs);
      this.inUse--;
      this.run(attempt);
    });
  }

  private run(attempt: Attempt): void {
    this.inUse++;
    attempt.phase = 'running';
    attempt.startedAtLocal = performance.now();
    if (attempt.job.timeoutMs !== null) {
      this.timeouts.add(attempt, attempt.startedAtLocal + attempt.job.timeoutMs);
    }
    this.host.emit('started', { job: attempt.job });
    attempt.run((end) => this.ended(attempt, end));
  }

  private ended(attempt: Attempt, end: AttemptEnd): void {
    if (!attempt.settled && attempt.pendingProgress !== undefined) {
      // The last progress reported lands before the settle, so the stored job shows it.
      void this.host.flushProgress(attempt).finally(() => this.finish(attempt, end));
      return;
    }
    this.finish(attempt, end);
  }

  private finish(attempt: Attempt, end: AttemptEnd): void {
    if (!attempt.settled) {
      const aborted = attempt.aborted;
      const final: AttemptEnd = aborted
        ? { kind: 'aborted', cause: aborted.abortCause, reason: aborted }
        : end;
      this.settle(attempt, decideSettlement(attempt.job, final, this.host.callbackOf(attempt.job.name)));
    }
    this.slotFreed();
  }

  /** A slot came free: the next reserved job takes it, and the dispatcher may claim. */
  private slotFreed(): void {
    this.inUse--;
    for (const resolve of [...this.freed]) resolve();
    const next = this.host.accepting() ? this.buffer.shift() : undefined;
    if (next) this.startReserved(next);
    this.host.changed();
  }

  private settle(attempt: Attempt, decision: SettlementDecision): void {
    attempt.settled = true;
    this.held.delete(attempt.job.id);
    if (decision.event === 'leaseLost') {
      this.host.emit('leaseLost', { job: attempt.job, reason: decision.reason });
    } else this.settles.submit(attempt, decision);
  }
}
