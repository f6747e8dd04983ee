import { performance } from 'node:perf_hooks';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { JobDocument } from '../model/job.js';
import { mayStartAhead } from '../store/transitions.js';
import { clampTimerDelay } from '../util/timer-limit.js';
import type { AbortCause } from './abort-reasons.js';
import { Attempt, type AttemptEnd, type AttemptHost } from './attempt.js';
import type { DispatcherEvents } from './dispatcher-events.js';
import { isTerminable } from './isolation/isolated-callback.js';
import { mayLapseBeforeNextBeat } from './lease-keeper.js';
import type { SettlePipeline } from './settle-pipeline.js';
import { decideSettlement, type SettlementDecision } from './settlement-policy.js';
import { StartAhead } from './start-ahead.js';
import type { TimeoutTimer } from './timeout-timer.js';

/** The default `timeoutGraceMs`: how long a handler may outlive its aborted signal. */
export const DEFAULT_TIMEOUT_GRACE_MS = 5_000;

function graceOf(callback: JobCallbackClass | undefined): number {
  return callback?.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
}

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
  /** Starts the handler inside the dispatcher's attempt wrappers. */
  wrapStart(job: JobDocument, start: () => void): void;
}

/**
 * The jobs a dispatcher holds and the slots they run in. Jobs a claim
 * started (counted in the claim write) take the free slots the claim was
 * sized for; reserved (prefetched) jobs wait in a buffer, uncounted, and
 * take a slot only after their fenced start write lands. When jobs are
 * shorter than that write's round trip, a few are started ahead (see
 * {@link StartAhead}: those this worker would start within one round trip)
 * so slots do not idle through it; a job whose last run was recovered, or
 * with no attempt to spare, is never started ahead, so a crash can cost a
 * job started ahead one attempt at most and never fail it. An attempt that is aborted before its handler
 * started is handed back, not abandoned.
 */
export class AttemptSlots {
  /** Every attempt whose lease this worker holds. */
  readonly held = new Map<string, Attempt>();
  /** Reserved attempts waiting for a slot. */
  private readonly buffer: Attempt[] = [];
  /** Attempts started ahead (counted) waiting for a slot, in claim order. */
  private readonly ready: Attempt[] = [];
  /** Start writes in flight for attempts started ahead. */
  private aheadInFlight = 0;
  /** Slots in use: running handlers and reserved jobs being started. */
  private inUse = 0;
  private readonly freed = new Set<() => void>();
  private readonly ahead: StartAhead;

  constructor(
    private readonly host: SlotsHost,
    private readonly attemptHost: AttemptHost,
    private readonly settles: SettlePipeline,
    private readonly timeouts: TimeoutTimer,
    private readonly options: {
      concurrency: number;
      leaseMs: number;
      heartbeatMs: number;
      maxBatch: number;
      startAhead: boolean;
    },
  ) {
    this.ahead = new StartAhead(options.concurrency, options.startAhead ? options.maxBatch : 0);
  }

  /**
   * A time limit passed. At `timeoutMs` the signal aborts and the handler
   * gets the callback's `timeoutGraceMs` to end; at the hard limit the
   * attempt is settled as timed out even if it has not, its slot frees and
   * an isolated callback's worker is terminated (a late write is fenced).
   */
  timedOut(attempt: Attempt): void {
    if (attempt.settled) return;
    if (!attempt.aborted) {
      attempt.abort('timeout', `timed out after ${attempt.job.timeoutMs} ms`);
      this.timeouts.add(attempt, performance.now() + graceOf(this.host.callbackOf(attempt.job.name)));
      return;
    }
    const reason = attempt.aborted;
    this.settle(
      attempt,
      decideSettlement(
        attempt.job,
        { kind: 'aborted', cause: 'timeout', reason },
        this.host.callbackOf(attempt.job.name),
      ),
    );
    this.letGo(attempt);
  }

  /** Slots in use. */
  get running(): number {
    return this.inUse;
  }

  /** Jobs per ms the slots can run, or `null` before any job ran. */
  get turnoverPerMs(): number | null {
    return this.ahead.turnoverPerMs;
  }

  /** How many more jobs the next claim should start ahead of free slots (counted in the claim write). */
  get aheadWanted(): number {
    return Math.max(0, this.ahead.lead - this.ready.length - this.aheadInFlight);
  }

  /** Jobs waiting for a slot (reserved, or started ahead). */
  get buffered(): number {
    return this.buffer.length + this.ready.length + this.aheadInFlight;
  }

  /** Jobs of `name` this worker holds (running, starting or waiting for a slot). */
  heldOf(name: string): number {
    let count = 0;
    for (const attempt of this.held.values()) if (attempt.job.name === name) count++;
    return count;
  }

  /** Nothing held, running or waiting. */
  get empty(): boolean {
    return this.inUse === 0 && this.buffered === 0 && this.held.size === 0;
  }

  /** Takes freshly leased jobs (their lease known to hold until `leaseStart + leaseMs`, local time). */
  take(jobs: JobDocument[], leaseStart: number): void {
    const reserved: Attempt[] = [];
    for (const job of jobs) {
      const callback = this.host.callbackOf(job.name) as JobCallbackClass;
      const attempt = new Attempt(job, callback, this.attemptHost, leaseStart + this.options.leaseMs);
      this.held.set(job.id, attempt);
      if (!this.host.accepting()) this.abort(attempt, 'shutdown', 'dispatcher stopping');
      else if (attempt.phase !== 'running') reserved.push(attempt);
      else if (this.inUse < this.options.concurrency) this.run(attempt);
      else {
        // Started ahead by the claim itself: it takes the next free slot.
        attempt.phase = 'ready';
        this.ready.push(attempt);
      }
    }
    for (const attempt of reserved) {
      if (attempt.settled) continue;
      if (this.inUse < this.options.concurrency) this.startReserved(attempt);
      else this.buffer.push(attempt);
    }
    this.startAhead();
  }

  /**
   * Aborts an attempt and settles it by its cause. A reserved attempt (its
   * handler never started) is handed back uncounted, unless cancelled.
   */
  abort(attempt: Attempt, cause: AbortCause, detail: string): void {
    if (attempt.settled) return;
    attempt.abort(cause, detail);
    for (const queue of [this.buffer, this.ready]) {
      const index = queue.indexOf(attempt);
      if (index >= 0) queue.splice(index, 1);
    }
    // Not running yet: hand it back (a release uncounts a job started ahead).
    const handBack = (attempt.phase === 'reserved' || attempt.phase === 'ready') && cause !== 'cancelled';
    if (attempt.phase === 'running' && cause !== 'shutdown') {
      // Settled now; a handler that ignores its signal loses its slot after the grace.
      const timer = setTimeout(() => this.letGo(attempt), graceOf(this.host.callbackOf(attempt.job.name)));
      timer.unref();
    }
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

  /** Hands back every job that waits for a slot (stopping). */
  releaseBuffered(): void {
    for (const attempt of [...this.buffer, ...this.ready])
      this.abort(attempt, 'shutdown', 'dispatcher stopping');
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
    this.sendStart(
      attempt,
      () => {
        this.inUse--;
        this.run(attempt);
      },
      () => this.slotFreed(),
    );
  }

  /**
   * Starts reserved jobs ahead of free slots, up to the lead that covers
   * one start round trip at the current turnover (0 for jobs slower than a
   * round trip). Stops at a job that may not start ahead (recovered, or no
   * attempt to spare): it counts its attempt only when a slot is free.
   */
  private startAhead(): void {
    const lead = this.ahead.lead;
    while (
      this.host.accepting() &&
      this.ready.length + this.aheadInFlight < lead &&
      this.buffer.length > 0 &&
      mayStartAhead(this.buffer[0]!.job)
    ) {
      const attempt = this.buffer.shift()!;
      this.aheadInFlight++;
      this.sendStart(
        attempt,
        () => {
          this.aheadInFlight--;
          if (this.inUse < this.options.concurrency) this.run(attempt);
          else this.ready.push(attempt);
        },
        () => {
          this.aheadInFlight--;
          this.host.changed();
        },
      );
    }
  }

  /**
   * Sends a reserved attempt's fenced start write. When it lands the
   * attempt is counted and `started` runs; when the attempt was settled
   * meanwhile, the lease was lost, or the write failed or came while
   * stopping (then it is handed back: a release is right whether or not
   * the start landed), `dropped` runs instead.
   */
  private sendStart(attempt: Attempt, started: () => void, dropped: () => void): void {
    attempt.phase = 'starting';
    const sentAt = performance.now();
    this.settles.start(attempt, this.options.leaseMs, (outcome) => {
      this.ahead.roundTrip(performance.now() - sentAt);
      if (attempt.settled) return dropped();
      if (outcome === 'lost') {
        this.settle(attempt, { event: 'leaseLost', reason: 'the lease was lost before the job started' });
        return dropped();
      }
      if (outcome === 'error' || !this.host.accepting()) {
        attempt.phase = 'reserved';
        this.abort(attempt, 'shutdown', outcome === 'error' ? 'start write failed' : 'dispatcher stopping');
        return dropped();
      }
      attempt.started(sentAt + this.options.leaseMs);
      started();
    });
  }

  private run(attempt: Attempt): void {
    if (mayLapseBeforeNextBeat(attempt.leaseValidUntil, this.options.heartbeatMs)) {
      // The claim or start write came back too late (a stalled connection): the lease may lapse
      // before a heartbeat could extend it, and another worker may run the job. Never start it.
      attempt.phase = 'ready';
      this.abort(
        attempt,
        'lease-lost',
        'its lease may lapse before it could be heartbeated (the write came back late)',
      );
      return;
    }
    this.inUse++;
    attempt.phase = 'running';
    attempt.startedAtLocal = performance.now();
    if (attempt.job.timeoutMs !== null) {
      this.timeouts.add(attempt, attempt.startedAtLocal + attempt.job.timeoutMs);
    }
    this.host.emit('started', { job: attempt.job });
    this.host.wrapStart(attempt.job, () => attempt.run((end) => this.ended(attempt, end)));
  }

  private ended(attempt: Attempt, end: AttemptEnd): void {
    if (!attempt.settled && attempt.pendingProgress !== undefined) {
      // The last progress reported lands before the settle, so the stored job shows it.
      void this.host.flushProgress(attempt).finally(() => this.finish(attempt, end));
      return;
    }
    this.finish(attempt, end);
  }

  /**
   * Frees the slot of a settled attempt whose handler has not ended (and
   * terminates its worker if it is isolated); the handler's end, if it
   * ever comes, then frees nothing.
   */
  private letGo(attempt: Attempt): void {
    if (attempt.handlerEnded || attempt.letGo) return;
    attempt.letGo = true;
    if (isTerminable(attempt.instance)) attempt.instance.terminate();
    this.slotFreed();
  }

  private finish(attempt: Attempt, end: AttemptEnd): void {
    attempt.handlerEnded = true;
    if (attempt.letGo) return;
    this.ahead.ran(performance.now() - attempt.startedAtLocal);
    if (!attempt.settled) {
      const aborted = attempt.aborted;
      const final: AttemptEnd = aborted
        ? { kind: 'aborted', cause: aborted.abortCause, reason: aborted }
        : end;
      this.settle(attempt, decideSettlement(attempt.job, final, this.host.callbackOf(attempt.job.name)));
    }
    this.slotFreed();
  }

  /**
   * A slot came free: a job started ahead takes it at once, else the next
   * reserved job (after its start write), and the dispatcher may claim.
   */
  private slotFreed(): void {
    this.inUse--;
    if (this.freed.size > 0) for (const resolve of [...this.freed]) resolve();
    if (this.host.accepting()) {
      const ready = this.ready.shift();
      if (ready) this.run(ready);
      else {
        const next = this.buffer.shift();
        if (next) this.startReserved(next);
      }
      this.startAhead();
    }
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
