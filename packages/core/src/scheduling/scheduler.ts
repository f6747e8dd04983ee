import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../callbacks/callback-registry.js';
import type { NewJob } from '../model/job.js';
import { isTerminal } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { ScheduleDocument } from '../model/schedule.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';
import type { JobStore } from '../store/job-store.js';
import { fireJob } from './fire-job.js';
import { planFires } from './fire-plan.js';
import { ScheduleRepository } from './schedule-repository.js';
import { onScheduleChange } from './schedule-signal.js';
import type { Calendar } from './ticks.js';

/** What the scheduler needs from its dispatcher. */
export interface SchedulerHost {
  provider: IDocumentDataProvider;
  jobs: JobStore;
  registry: CallbackRegistry;
  calendars: ReadonlyMap<string, Calendar>;
  /** A job was fired (created) for a tick. */
  fired(job: NewJob): void;
  error(error: unknown, during: string): void;
}

/** How often a held (`overlap: 'queue'`) tick checks whether the previous run ended. */
const HELD_RECHECK_MS = 500;
/** Compare-and-set rounds before a fire gives way to the next look. */
const MAX_ROUNDS = 5;

/**
 * Fires the schedules whose callbacks this dispatcher has: sleeps until the
 * earliest `nextRunAt` (capped by `checkMs`, for schedules changed in other
 * processes; woken at once by changes in this one), then inserts one job per
 * tick with key `schedule id + tick` and advances `nextRunAt` by
 * compare-and-set. Every dispatcher may try; the store decides.
 */
export class Scheduler {
  private readonly repository: ScheduleRepository;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private held = false;

  constructor(
    private readonly host: SchedulerHost,
    private readonly checkMs: number,
  ) {
    this.repository = new ScheduleRepository(host.provider);
  }

  /** Starts the loop. */
  start(): void {
    this.running = true;
    this.unsubscribe = onScheduleChange(this.host.provider, () => this.wakeUp?.());
    this.loopDone = this.loop();
  }

  /** Stops the loop and waits for the current look to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.wakeUp?.();
    await this.loopDone;
  }

  /** Fires everything due now; resolves with the earliest next tick (store time), or `null`. */
  async runDue(): Promise<number | null> {
    const now = await this.host.jobs.now();
    const names = new Set(this.host.registry.names);
    let earliest: number | null = null;
    this.held = false;
    for (const schedule of await this.repository.list(names)) {
      if (schedule.paused) continue;
      let next = schedule.nextRunAt;
      if (next !== null && next <= now) next = await this.fire(schedule, now);
      if (next !== null && (earliest === null || next < earliest)) earliest = next;
    }
    return earliest;
  }

  /** Writes a successful run's metadata back to its schedule (`persistMetadata`). */
  async persistMetadata(
    scheduleId: string,
    metadata: JsonValue,
    callback: JobCallbackClass | undefined,
  ): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const schedule = await this.repository.get(scheduleId);
      if (!schedule || !(schedule.persistMetadata || callback?.persistMetadata)) return;
      if (await this.repository.update(schedule, (f) => ({ ...f, metadata }))) return;
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let sleep = this.checkMs;
      try {
        const next = await this.runDue();
        if (next !== null) sleep = Math.min(sleep, Math.max(0, next - (await this.host.jobs.now())));
        if (this.held) sleep = Math.min(sleep, HELD_RECHECK_MS);
      } catch (error) {
        this.host.error(error, 'schedules');
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, sleep);
      });
      clearTimeout(this.timer);
    }
  }

  /** Fires one due schedule; returns its next tick after the write. */
  private async fire(initial: ScheduleDocument, now: number): Promise<number | null> {
    let schedule: ScheduleDocument | null = initial;
    for (let round = 0; round < MAX_ROUNDS && schedule; round++) {
      const callback = this.host.registry.get(schedule.name);
      if (!callback) return schedule.nextRunAt;
      const effective =
        schedule.overlap === 'queue' ? { ...schedule, misfire: 'fire-once-now' as const } : schedule;
      const plan = planFires(effective, now, this.host.calendars);
      let fires = plan.fires;
      if (fires.length > 0 && schedule.overlap !== 'allow' && (await this.previousRunLive(schedule))) {
        if (schedule.overlap === 'queue') {
          this.held = true;
          return schedule.nextRunAt;
        }
        fires = [];
      }
      let lastJobId = schedule.lastJobId;
      for (const tick of fires) {
        const jitter = schedule.jitterMs > 0 ? Math.floor(Math.random() * (schedule.jitterMs + 1)) : 0;
        const job = fireJob(schedule, callback, tick, jitter);
        const result = await this.host.jobs.insert(job);
        if (result.created) this.host.fired(job);
        lastJobId = result.id;
      }
      const lastFire = fires.length > 0 ? (fires[fires.length - 1] as number) : schedule.lastFireAt;
      const after = await this.repository.update(schedule, (f) => ({
        ...f,
        nextRunAt: plan.nextRunAt,
        lastFireAt: lastFire,
        lastJobId,
      }));
      if (after) return after.nextRunAt;
      schedule = await this.repository.get(schedule.id);
      if (schedule && (schedule.paused || schedule.nextRunAt === null || schedule.nextRunAt > now)) {
        return schedule.paused ? null : schedule.nextRunAt;
      }
    }
    return schedule?.nextRunAt ?? null;
  }

  private async previousRunLive(schedule: ScheduleDocument): Promise<boolean> {
    if (!schedule.lastJobId) return false;
    const job = await this.host.jobs.get(schedule.lastJobId);
    return job !== null && !isTerminal(job.status);
  }
}
