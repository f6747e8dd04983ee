import { performance } from 'node:perf_hooks';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { JobDocument } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { FencedWriteResult, Settlement } from '../store/document-provider.js';
import type { JobStore } from '../store/job-store.js';
import { endsJob } from '../store/transitions.js';
import { abortableDelay } from '../util/clock.js';
import { WriteBatcher } from '../util/write-batcher.js';
import type { Attempt } from './attempt.js';
import type { DispatcherEvents } from './dispatcher-events.js';
import type { SettlementDecision } from './settlement-policy.js';

/** What the settle pipeline asks of its dispatcher. */
export interface SettleHost {
  emit<K extends keyof DispatcherEvents>(event: K, payload: DispatcherEvents[K]): void;
  /** Rings the doorbell for a job scheduled again. */
  ring(job: JobDocument, delayMs: number): void;
  reportError(error: unknown, during: string): void;
  callbackOf(name: string): JobCallbackClass | undefined;
  persistMetadata(
    scheduleId: string,
    metadata: JsonValue,
    callback: JobCallbackClass | undefined,
  ): Promise<void>;
  /**
   * A settle (or its follow-up) finished: the dispatcher may be idle now.
   * `freed`: the job whose settle landed (its flow gates' slots are free).
   */
  settled(freed?: JobDocument): void;
  /** Releases the continuations waiting on jobs that just ended. */
  releaseChildren(parentIds: string[]): Promise<void>;
  /** Writes an attempt's buffered log lines (before its settle, so they land first). */
  flushLogs(attempt: Attempt): Promise<void>;
}

/** Settle attempts before a failing store write gives up (the lease then lapses and the reaper recovers the job). */
const SETTLE_TRIES = 4;

/**
 * Ends attempts in the store: settlements go out in batches (one write per
 * event-loop turn), each fenced by its lease; a rejected settle means the
 * lease was lost. After a write lands, the matching event is emitted, retried
 * and released jobs ring the doorbell, and scheduled runs persist metadata.
 */
export class SettlePipeline {
  private readonly batcher: WriteBatcher<Settlement, FencedWriteResult>;
  private pending = 0;

  constructor(
    private readonly store: JobStore,
    private readonly host: SettleHost,
    maxBatch: number,
  ) {
    this.batcher = new WriteBatcher((items) => this.write(items), maxBatch);
  }

  /** True when no settle (or follow-up) is waiting or in flight. */
  get idle(): boolean {
    return this.pending === 0 && this.batcher.size === 0;
  }

  /** Writes the decision for an attempt whose lease is still held (not for `leaseLost`). */
  submit(attempt: Attempt, decision: Exclude<SettlementDecision, { event: 'leaseLost' }>): void {
    if (attempt.hasPendingLogs) {
      this.pending++;
      void this.host.flushLogs(attempt).finally(() => {
        this.pending--;
        this.submit(attempt, decision);
      });
      return;
    }
    const job = attempt.job;
    this.pending++;
    const settlement = { id: job.id, leaseToken: job.leaseToken, ...decision.outcome } as Settlement;
    this.batcher.add(settlement, (result, error) => {
      this.pending--;
      if (error !== undefined) this.host.reportError(error, 'settle');
      else if (!result?.ok) {
        this.host.emit('leaseLost', {
          job,
          reason: 'the store rejected the settle: the lease was no longer held',
        });
      } else this.afterWrite(job, decision, attempt);
      this.host.settled(result?.ok ? job : undefined);
    });
  }

  /**
   * Writes the fenced start of a reserved attempt (counting it) in the next
   * batch; `done` learns whether it landed (`ok`), the lease was gone
   * (`lost`), or the store failed (`error`, already reported).
   */
  start(attempt: Attempt, leaseMs: number, done: (outcome: 'ok' | 'lost' | 'error') => void): void {
    const job = attempt.job;
    this.pending++;
    this.batcher.add(
      { id: job.id, leaseToken: job.leaseToken, outcome: 'start', leaseMs },
      (result, error) => {
        this.pending--;
        if (error !== undefined) this.host.reportError(error, 'start');
        done(error !== undefined ? 'error' : result?.ok ? 'ok' : 'lost');
        this.host.settled();
      },
    );
  }

  /** Writes everything queued. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  private afterWrite(job: JobDocument, decision: SettlementDecision, attempt: Attempt): void {
    switch (decision.event) {
      case 'completed':
        if (job.scheduleId !== null) this.persistMetadata(job, attempt);
        this.host.emit('completed', { job, result: decision.result, durationMs: ranFor(attempt) });
        return;
      case 'retrying':
        this.host.emit('retrying', {
          job,
          error: decision.error,
          delayMs: decision.delayMs,
          durationMs: ranFor(attempt),
        });
        this.host.ring(job, decision.delayMs);
        return;
      case 'failed':
        this.host.emit('failed', { job, error: decision.error, durationMs: ranFor(attempt) });
        return;
      case 'cancelled':
        this.host.emit('cancelled', { job, durationMs: ranFor(attempt) });
        return;
      case 'released':
        this.host.emit('released', { job });
        this.host.ring(job, 0);
        return;
      case 'leaseLost':
        return;
    }
  }

  /** `persistMetadata`: a successful scheduled run's metadata goes back to its schedule. */
  private persistMetadata(job: JobDocument, attempt: Attempt): void {
    const metadata = attempt.instance?.metadata;
    if (job.scheduleId === null || metadata === undefined) return;
    this.pending++;
    this.host
      .persistMetadata(job.scheduleId, metadata, this.host.callbackOf(job.name))
      .catch((error) => this.host.reportError(error, 'persist schedule metadata'))
      .finally(() => {
        this.pending--;
        this.host.settled();
      });
  }

  private async write(items: Settlement[]): Promise<FencedWriteResult[]> {
    const results = await this.writeWithRetries(items);
    const ended = items
      .filter((s, i) => results[i]?.ok && results[i]?.childrenWaiting !== false && endsJob(s.outcome))
      .map((s) => s.id);
    if (ended.length > 0) this.releaseAfter(ended);
    return results;
  }

  /**
   * The continuations of jobs that ended: one query per settle batch finds
   * any waiting on them, unless the store said none were (a crash before it
   * runs is covered by the dispatcher's sweep of waiting jobs).
   */
  private releaseAfter(ended: string[]): void {
    this.pending++;
    this.host
      .releaseChildren(ended)
      .catch((error) => this.host.reportError(error, 'release continuations'))
      .finally(() => {
        this.pending--;
        this.host.settled();
      });
  }

  private async writeWithRetries(items: Settlement[]): Promise<FencedWriteResult[]> {
    for (let round = 1; ; round++) {
      try {
        return await this.store.settle(items);
      } catch (error) {
        if (round >= SETTLE_TRIES) throw error;
        this.host.reportError(error, 'settle (will retry)');
        await abortableDelay(100 * 4 ** (round - 1));
      }
    }
  }
}

/** How long the attempt's handler ran (local clock); 0 when it never started. */
function ranFor(attempt: Attempt): number {
  return attempt.startedAtLocal ? performance.now() - attempt.startedAtLocal : 0;
}
