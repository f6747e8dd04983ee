import { performance } from 'node:perf_hooks';
import type { JsonValue } from '../model/json.js';
import type { LeaseExtension } from '../store/document-provider.js';
import type { JobStore } from '../store/job-store.js';
import type { Attempt } from './attempt.js';

/** What the lease keeper asks of its dispatcher. */
export interface LeaseKeeperHooks {
  /** Every attempt whose lease the dispatcher holds. */
  held(): Iterable<Attempt>;
  /** The lease is gone (store said so, or it may have lapsed): abort without settling. */
  lost(attempt: Attempt, reason: string): void;
  /** The store reports a cancel request. */
  cancelRequested(attempt: Attempt): void;
  error(error: unknown): void;
  /** Writes the log lines the held attempts buffered (after each heartbeat round). */
  flushLogs(attempts: Attempt[]): Promise<void>;
}

/** How soon progress is written after the callback reports it. */
const PROGRESS_FLUSH_MS = 100;

/**
 * Heartbeats every held lease in one batch per interval, carries progress,
 * learns of cancel requests, and self-fences: an attempt whose lease could
 * lapse before the next heartbeat lands is aborted, so a worker cut off from
 * the store stops its side effects before another worker may take the job.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly options: { leaseMs: number; heartbeatMs: number },
    private readonly hooks: LeaseKeeperHooks,
  ) {}

  /** Starts the heartbeat interval. */
  start(): void {
    this.timer = setInterval(() => {
      // Fence first: a heartbeat still hanging on an unreachable store must not delay it.
      this.selfFence();
      void this.beat(false);
    }, this.options.heartbeatMs);
  }

  /** Stops the heartbeat. */
  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.progressTimer);
  }

  /** Queues progress for a write soon (with a heartbeat of the progressing jobs only). */
  progress(attempt: Attempt, value: JsonValue): void {
    attempt.pendingProgress = value;
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      void this.beat(true);
    }, PROGRESS_FLUSH_MS);
  }

  /** One heartbeat round (all held leases, or only those with progress). */
  beat(progressOnly: boolean): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = this.round(progressOnly).finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async round(progressOnly: boolean): Promise<void> {
    const attempts = [...this.hooks.held()].filter((a) => !progressOnly || a.pendingProgress !== undefined);
    if (attempts.length > 0) {
      const sentAt = performance.now();
      const extensions: LeaseExtension[] = attempts.map((a) => {
        const extension: LeaseExtension = {
          id: a.job.id,
          leaseToken: a.job.leaseToken,
          leaseMs: this.options.leaseMs,
        };
        if (a.pendingProgress !== undefined) extension.progress = a.pendingProgress;
        a.pendingProgress = undefined;
        return extension;
      });
      try {
        const results = await this.store.extendLeases(extensions);
        results.forEach((result, i) => {
          const attempt = attempts[i] as Attempt;
          if (attempt.settled) return;
          if (!result.ok) {
            this.hooks.lost(attempt, 'the store rejected the heartbeat: the lease is no longer held');
            return;
          }
          attempt.leaseValidUntil = sentAt + this.options.leaseMs;
          if (result.cancelRequested) this.hooks.cancelRequested(attempt);
        });
      } catch (error) {
        this.hooks.error(error);
      }
      await this.hooks.flushLogs(attempts.filter((a) => !a.settled));
    }
    this.selfFence();
  }

  /**
   * Aborts attempts whose lease might lapse before the next heartbeat could
   * extend it, keeping half a heartbeat interval of margin for timer delays.
   */
  private selfFence(): void {
    for (const attempt of [...this.hooks.held()]) {
      if (!attempt.settled && mayLapseBeforeNextBeat(attempt.leaseValidUntil, this.options.heartbeatMs)) {
        this.hooks.lost(
          attempt,
          'self-fenced: no heartbeat reached the store in time, so the lease may have lapsed',
        );
      }
    }
  }
}

/**
 * True when a lease known to hold until `leaseValidUntil` (local time)
 * might lapse before the next heartbeat could extend it, keeping half a
 * heartbeat interval of margin for timer delays: such an attempt is fenced
 * (running) or never started (a claim or start write that came back late).
 */
export function mayLapseBeforeNextBeat(leaseValidUntil: number, heartbeatMs: number): boolean {
  return leaseValidUntil <= performance.now() + heartbeatMs * 1.5;
}
