import { performance } from 'node:perf_hooks';
import type { JobDocument } from '../model/job.js';
import type { JobStore } from '../store/job-store.js';
import { abortableDelay } from '../util/clock.js';
import { type BellRound, openBellRound } from './bell-round.js';
import { DeferredWake } from './deferred-wake.js';

/** How long jobs are counted before the rate that sizes prefetch is taken. */
const RATE_WINDOW_MS = 20;

/** What the claim loop asks of its dispatcher. */
export interface ClaimHost {
  /** False once stopping: no more claims. */
  accepting(): boolean;
  /** Callbacks running now. */
  running(): number;
  /** Claimed jobs waiting for a slot. */
  buffered(): number;
  /** Jobs a claim should start ahead of free slots (fast jobs; 0 otherwise). */
  startAhead(): number;
  /** How many jobs per ms the slots can run (concurrency ÷ smoothed run time), or `null` before any ran. */
  turnoverPerMs(): number | null;
  /** Jobs were leased; the lease is known to hold until `leaseStart + leaseMs` (local time). */
  claimed(jobs: JobDocument[], leaseStart: number): void;
  error(error: unknown, during: string): void;
  /** A claim round ended. */
  roundEnded(): void;
  /** Jobs of `name` this worker holds (running or waiting for a slot), for per-callback caps. */
  heldOf(name: string): number;
}

/** The claim loop's settings. */
export interface ClaimSettings {
  names: readonly string[];
  concurrency: number;
  prefetch: number;
  maxPrefetch: number;
  maxBatch: number;
  workerId: string;
  leaseMs: number;
  idlePollMs: number;
  /** Per name, the most jobs this worker holds at once (`maxParallelism`); empty when none. */
  caps: ReadonlyMap<string, number>;
  /** Cluster-wide caps every claim carries (`ClaimRequest.nameLimits`). */
  nameLimits: Readonly<Record<string, number>> | undefined;
}

/**
 * Decides when and how much to claim: at a bell, when a quarter of the
 * capacity (slots plus prefetch) is free, when the worker starves, and on a
 * slow idle timer (lost bells, delayed jobs coming due). One claim in flight
 * at a time; a failing store is retried with backoff, cut short by `stop`.
 *
 * Prefetch adapts between `prefetch` and `maxPrefetch` to what one claim's
 * round trip needs at the current rate (see `adaptPrefetch`): short jobs
 * over a deep backlog grow it, long jobs never do, and a claim that comes
 * back short resets it.
 */
export class ClaimLoop {
  private claiming: Promise<void> | undefined;
  private wantClaim = false;
  private empty = false;
  /** The last claim came back with less than it asked for: jobs may be waiting on a full gate. */
  private lastShort = false;
  /** A gate slot came free while a claim was in flight. */
  private freedDuring = false;
  /** Grows whenever something may have become due; a claim proves emptiness only if it did not grow meanwhile. */
  private changes = 0;
  private failures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Claims again when a rate window a claim deferred jobs to opens. */
  private readonly wake = new DeferredWake(() => this.claimSoon());
  /** Bells heard since the last claim started, answered when the next one ends: one promise for them all. */
  private heard: BellRound | undefined;
  private readonly stopped = new AbortController();
  private prefetch: number;
  /** Smoothed duration of a full claim, ms. */
  private claimMs = 0;
  /** Jobs claimed since `start` (full claims only), for the rate. */
  private window = { start: 0, jobs: 0 };

  constructor(
    private readonly store: JobStore,
    private readonly host: ClaimHost,
    private readonly settings: ClaimSettings,
  ) {
    this.prefetch = settings.prefetch;
  }

  /** A claim is in flight. */
  get busy(): boolean {
    return this.claiming !== undefined;
  }

  /** The last claim found nothing due and nothing has happened since that could change it. */
  get confirmedEmpty(): boolean {
    return this.empty;
  }

  /** Something may have become due (a bell, a settle): the next idle check claims again. */
  invalidate(): void {
    this.empty = false;
    this.changes++;
  }

  /**
   * A bell rang: claim now. Resolves once a claim that started after the
   * bell has come back, or at once when there is no room to claim (the
   * bell's job is claimed when a slot frees); never rejects.
   */
  bell(): Promise<void> {
    this.heard ??= openBellRound();
    const heard = this.heard.answered;
    this.claimSoon();
    return heard;
  }

  /** Something may have become due: claim now, or as soon as the claim in flight ends. */
  private claimSoon(): void {
    this.empty = false;
    this.changes++;
    this.wantClaim = true;
    this.pump();
  }

  /**
   * A slot of a concurrency key or a cluster-wide cap came free (a settle
   * landed): claim again if the last claim came back short, since a job
   * may be waiting on that slot; no claim otherwise (jobs held back by a
   * gate do not make a full claim come back short).
   */
  slotFreed(): void {
    if (this.claiming) this.freedDuring = true;
    else if (this.lastShort) this.pump();
  }

  /** Claims again unless the last claim proved nothing is due (for drain). */
  verify(): void {
    if (this.empty) return;
    this.wantClaim = true;
    this.pump();
  }

  /** Claims if there is room enough and no claim is in flight. */
  pump(): void {
    if (!this.host.accepting()) {
      this.answerBells();
      return;
    }
    if (this.claiming) {
      this.wantClaim = true;
      return;
    }
    const { concurrency, maxBatch } = this.settings;
    const capacity = concurrency + this.prefetch;
    const free = capacity - this.host.running() - this.host.buffered();
    const starving = this.host.buffered() === 0 && this.host.running() < concurrency;
    if (free <= 0 || (!starving && free < Math.max(1, Math.ceil(capacity / 4)))) {
      this.answerBells();
      return;
    }
    this.wantClaim = false;
    const start = Math.max(0, concurrency - this.host.running() - this.host.buffered());
    const covered = this.heard;
    this.heard = undefined;
    this.claiming = this.claim(Math.min(free, maxBatch), start, this.host.startAhead()).finally(() => {
      this.claiming = undefined;
      covered?.answer();
      if (this.wantClaim || (this.freedDuring && this.lastShort)) this.pump();
      this.host.roundEnded();
    });
  }

  /** No claim will start for the bells heard so far: let their queue acknowledge them. */
  private answerBells(): void {
    this.heard?.answer();
    this.heard = undefined;
  }

  /**
   * Starts the timer that claims whenever a slot is free and nothing waits
   * for one: a job that came due without a bell (a delay or retry with no
   * queue, a lost bell) must not wait for the jobs that are running.
   */
  startIdleTimer(): void {
    this.idleTimer = setInterval(() => {
      if (this.host.buffered() === 0 && this.host.running() < this.settings.concurrency) {
        this.empty = false;
        this.changes++;
        this.pump();
      }
    }, this.settings.idlePollMs);
  }

  /** Stops the timers, cuts a backoff sleep short, and waits for an in-flight claim. */
  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    this.wake.stop();
    this.stopped.abort();
    await this.claiming;
    this.answerBells();
  }

  /**
   * `ClaimRequest.onDeferred`: a claim moved jobs to store time `runAt` (a
   * full rate window), the claim ran at store time `now`: claim again once
   * that much time has passed, not at the idle poll. The earliest wins.
   */
  private readonly deferredTo = (runAt: number, now: number): void => {
    this.wake.after(Math.max(0, runAt - now) + 1);
  };

  /**
   * Sizes prefetch to cover a claim's round trip at the rate jobs are going
   * through (twice the jobs claimed per millisecond × the claim's duration,
   * both smoothed), between `prefetch` and `maxPrefetch`; a claim that comes
   * back short (the backlog is gone) returns it to `prefetch`.
   */
  private adaptPrefetch(claimed: number, limit: number, tookMs: number): void {
    const { prefetch, maxPrefetch } = this.settings;
    const now = performance.now();
    if (claimed < limit) {
      this.prefetch = prefetch;
      this.window = { start: now, jobs: 0 };
      return;
    }
    this.claimMs = this.claimMs === 0 ? tookMs : this.claimMs * 0.7 + tookMs * 0.3;
    this.window.jobs += claimed;
    const elapsed = now - this.window.start;
    if (elapsed < RATE_WINDOW_MS) return;
    // The rate jobs are claimed at, but never above the rate slots can run
    // them: a burst of claims after a stall (or a slow claim) says nothing
    // about how fast this worker can start what it reserves.
    const turnover = this.host.turnoverPerMs();
    const claimedPerMs = this.window.jobs / elapsed;
    const perMs = turnover === null ? claimedPerMs : Math.min(claimedPerMs, turnover);
    this.window = { start: now, jobs: 0 };
    const wanted = Math.ceil(2 * perMs * this.claimMs);
    this.prefetch = Math.max(prefetch, Math.min(maxPrefetch, wanted));
  }

  /**
   * Claims up to `limit` jobs: the first `start` started (counted), up to
   * `startAhead` more started ahead when they may be, the rest reserved.
   */
  private async claim(limit: number, start: number, startAhead: number): Promise<void> {
    const leaseStart = performance.now();
    const changesBefore = this.changes;
    this.freedDuring = false;
    let jobs: JobDocument[];
    let full: boolean;
    try {
      ({ jobs, full } = await this.claimCapped(limit, Math.min(start, limit), startAhead));
      this.failures = 0;
    } catch (error) {
      this.host.error(error, 'claim');
      this.failures++;
      await abortableDelay(Math.min(30_000, 100 * 2 ** this.failures), this.stopped.signal).catch(() => {});
      this.wantClaim = this.host.accepting();
      return;
    }
    this.lastShort = !full;
    this.adaptPrefetch(full ? limit : jobs.length, limit, performance.now() - leaseStart);
    if (full) this.wantClaim = true;
    // A settle that landed while this claim was in flight may have made a job due that its snapshot missed.
    else if (jobs.length === 0) this.empty = !this.wantClaim && this.changes === changesBefore;
    this.host.claimed(jobs, leaseStart);
  }

  /**
   * One claim, or — with per-callback caps — one per capped name that has
   * room (its limit and starts cut to that room, nothing started ahead),
   * then one for the uncapped names with what is left. `full`: the last
   * claim came back with all it asked for (more may be due).
   */
  private async claimCapped(
    limit: number,
    start: number,
    startAhead: number,
  ): Promise<{ jobs: JobDocument[]; full: boolean }> {
    const { caps, names, workerId, leaseMs, nameLimits } = this.settings;
    const base = { workerId, leaseMs, onDeferred: this.deferredTo, ...(nameLimits ? { nameLimits } : {}) };
    if (caps.size === 0) {
      const jobs = await this.store.claim({ ...base, names, limit, start, startAhead });
      return { jobs, full: jobs.length === limit };
    }
    const jobs: JobDocument[] = [];
    let left = limit;
    let startLeft = start;
    // Jobs leased by an earlier claim of this round are handed over even when a later claim fails.
    const keep = (error: unknown) => {
      if (jobs.length === 0) throw error;
      this.host.error(error, 'claim');
      return { jobs, full: false };
    };
    for (const [name, cap] of caps) {
      const room = Math.min(left, cap - this.host.heldOf(name));
      if (room <= 0) continue;
      let got: JobDocument[];
      try {
        got = await this.store.claim({
          ...base,
          names: [name],
          limit: room,
          start: Math.min(startLeft, room),
          startAhead: 0,
        });
      } catch (error) {
        return keep(error);
      }
      jobs.push(...got);
      left -= got.length;
      startLeft = Math.max(0, startLeft - got.length);
    }
    const uncapped = names.filter((name) => !caps.has(name));
    if (uncapped.length === 0 || left === 0) return { jobs, full: false };
    let got: JobDocument[];
    try {
      got = await this.store.claim({ ...base, names: uncapped, limit: left, start: startLeft, startAhead });
    } catch (error) {
      return keep(error);
    }
    jobs.push(...got);
    return { jobs, full: got.length === left };
  }
}
