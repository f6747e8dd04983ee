import type { DispatcherEvents, JobDispatcher } from '@jobservice/core';

type JobEvent = 'started' | 'completed' | 'retrying' | 'failed' | 'cancelled';
const JOB_EVENTS: readonly JobEvent[] = ['started', 'completed', 'retrying', 'failed', 'cancelled'];

/**
 * Records a dispatcher's job events by job id from the moment it is made,
 * so a test can wait for an event that may already have happened. Attach it
 * after the metrics: listeners run in order, so once it has seen an event
 * the metrics have counted it.
 */
export class EventLog {
  private readonly seen = new Map<string, JobEvent[]>();
  private readonly waiters: Array<{ event: JobEvent; id: string; resolve: () => void }> = [];

  constructor(dispatcher: JobDispatcher) {
    for (const event of JOB_EVENTS) {
      dispatcher.on(event, (payload: DispatcherEvents[JobEvent]) => this.record(event, payload.job.id));
    }
  }

  /** Resolves once `event` happened for job `id`. */
  when(event: JobEvent, id: string): Promise<void> {
    if (this.seen.get(id)?.includes(event)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ event, id, resolve }));
  }

  /** Resolves once job `id` ended: completed, failed or cancelled. */
  ended(id: string): Promise<void> {
    return Promise.race([this.when('completed', id), this.when('failed', id), this.when('cancelled', id)]);
  }

  private record(event: JobEvent, id: string): void {
    const events = this.seen.get(id) ?? [];
    events.push(event);
    this.seen.set(id, events);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter && waiter.event === event && waiter.id === id) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
