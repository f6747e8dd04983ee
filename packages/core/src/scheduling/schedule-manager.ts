import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../callbacks/callback-registry.js';
import { getJobName } from '../callbacks/job-callback-name.js';
import { assertJobName } from '../callbacks/job-name.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { InsertResult, NewJob } from '../model/job.js';
import type { ScheduleDocument } from '../model/schedule.js';
import type { JobStore } from '../store/job-store.js';
import { fireJob } from './fire-job.js';
import { buildScheduleFields, type ScheduleOptions } from './schedule-options.js';
import { type ScheduleFields, ScheduleRepository } from './schedule-repository.js';
import { notifyScheduleChange } from './schedule-signal.js';
import { type Calendar, nextTick, nextTicks } from './ticks.js';

/** The most fire times one `nextRuns` call returns. */
export const MAX_NEXT_RUNS = 1_000;
/** Compare-and-set rounds before giving up on a contended schedule. */
const MAX_ROUNDS = 16;

/** The first tick of a new or changed schedule at `now` (a past `at` is due at once). */
function firstTick(
  fields: ScheduleFields,
  now: number,
  calendars: ReadonlyMap<string, Calendar>,
): number | null {
  if (fields.at !== null && fields.at <= now) return fields.at;
  return nextTick(fields, now, calendars);
}

/** Turns stored fields back into options, so `updateSchedule` can change a part. */
function optionsOf(s: ScheduleDocument): ScheduleOptions {
  const options: ScheduleOptions = {
    metadata: s.metadata,
    misfire: s.misfire,
    misfireThresholdMs: s.misfireThresholdMs,
    catchupWindowMs: s.catchupWindowMs,
    overlap: s.overlap,
    persistMetadata: s.persistMetadata,
    jitterMs: s.jitterMs,
    excludeDates: s.excludeDates,
    priority: s.job.priority,
  };
  if (s.cron !== null) options.cron = s.cron;
  if (s.everyMs !== null) options.every = s.everyMs;
  if (s.at !== null) options.at = s.at;
  if (s.timezone !== null) options.timezone = s.timezone;
  if (s.startAt !== null) options.startAt = s.startAt;
  if (s.endAt !== null) options.endAt = s.endAt;
  if (s.calendar !== null) options.calendar = s.calendar;
  if (s.job.maxAttempts !== null) options.maxAttempts = s.job.maxAttempts;
  if (s.job.timeoutMs !== null) options.timeoutMs = s.job.timeoutMs;
  if (s.job.labels && Object.keys(s.job.labels).length > 0) options.labels = { ...s.job.labels };
  if (s.job.backoff && s.job.backoff.type !== 'custom') options.backoff = s.job.backoff;
  return options;
}

/**
 * The manager's schedule operations: upsert, update, pause, resume,
 * unschedule, list and preview. Every write is a compare-and-set and wakes
 * this process's schedulers.
 */
export class ScheduleManager {
  private readonly repository: ScheduleRepository;

  constructor(
    private readonly jobs: JobStore,
    private readonly registry: CallbackRegistry | undefined,
    private readonly calendars: ReadonlyMap<string, Calendar>,
  ) {
    this.repository = new ScheduleRepository(jobs.provider);
  }

  /** Creates or replaces schedule `id` (keeping its pause state and history). */
  async schedule(
    id: string,
    callback: JobCallbackClass | string,
    options: ScheduleOptions,
  ): Promise<ScheduleDocument> {
    const name = this.nameOf(callback);
    const now = await this.jobs.now();
    const base = buildScheduleFields(id, name, options, now, new Set(this.calendars.keys()));
    const fields: ScheduleFields = {
      ...base,
      startAt: base.everyMs !== null && base.startAt === null ? now : base.startAt,
      nextRunAt: null,
      lastFireAt: null,
      lastJobId: null,
      paused: false,
    };
    fields.nextRunAt = firstTick(fields, now, this.calendars);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const existing = await this.repository.get(id);
      if (!existing) {
        if (await this.repository.create(fields)) return this.changed(id);
        continue;
      }
      const written = await this.repository.update(existing, () => ({
        ...fields,
        lastFireAt: existing.lastFireAt,
        lastJobId: existing.lastJobId,
        paused: existing.paused,
      }));
      if (written) return this.changed(id, written);
    }
    throw new InvalidInputError('id', `schedule ${id} is being changed concurrently; try again`);
  }

  /** Changes part of a schedule's options; the rest stay. */
  async updateSchedule(id: string, changes: Partial<ScheduleOptions>): Promise<ScheduleDocument> {
    const existing = await this.mustGet(id);
    const options = { ...optionsOf(existing) };
    if (changes.cron !== undefined || changes.every !== undefined || changes.at !== undefined) {
      delete options.cron;
      delete options.every;
      delete options.at;
    }
    return this.schedule(id, existing.name, { ...options, ...changes });
  }

  /** Stops firing until `resume`. */
  pause(id: string): Promise<ScheduleDocument> {
    return this.modify(id, (f) => ({ ...f, paused: true }));
  }

  /** Fires again from the next tick after now; what passed while paused is skipped. */
  async resume(id: string): Promise<ScheduleDocument> {
    const now = await this.jobs.now();
    return this.modify(id, (f) => ({ ...f, paused: false, nextRunAt: firstTick(f, now, this.calendars) }));
  }

  /** Deletes a schedule (jobs it fired stay); returns whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    const deleted = await this.repository.delete(id);
    notifyScheduleChange(this.jobs.provider);
    return deleted;
  }

  /** The schedule, or `null`. */
  getSchedule(id: string): Promise<ScheduleDocument | null> {
    return this.repository.get(id);
  }

  /** Every schedule. */
  listSchedules(): Promise<ScheduleDocument[]> {
    return this.repository.list();
  }

  /** Inserts one job of schedule `id` due now (its ticks are untouched); the job and the insert's result. */
  async runNow(id: string): Promise<{ job: NewJob; result: InsertResult }> {
    const schedule = await this.mustGet(id);
    const now = await this.jobs.now();
    const job = fireJob(schedule, this.registry?.get(schedule.name), now);
    return { job, result: await this.jobs.insert(job) };
  }

  /** The next `count` fire times (epoch ms), exclusions and bounds applied. */
  async nextRuns(id: string, count: number): Promise<number[]> {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_NEXT_RUNS) {
      throw new InvalidInputError(
        'count',
        `must be a whole number from 0 to ${MAX_NEXT_RUNS} (MAX_NEXT_RUNS), got ${String(count)}`,
      );
    }
    const schedule = await this.mustGet(id);
    if (schedule.nextRunAt === null) return [];
    const from = schedule.paused ? await this.jobs.now() : schedule.nextRunAt - 1;
    return nextTicks(schedule, from, count, this.calendars);
  }

  private async modify(id: string, change: (f: ScheduleFields) => ScheduleFields): Promise<ScheduleDocument> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const existing = await this.mustGet(id);
      const written = await this.repository.update(existing, change);
      if (written) return this.changed(id, written);
    }
    throw new InvalidInputError('id', `schedule ${id} is being changed concurrently; try again`);
  }

  private async changed(id: string, written?: ScheduleDocument): Promise<ScheduleDocument> {
    notifyScheduleChange(this.jobs.provider);
    return written ?? this.mustGet(id);
  }

  private async mustGet(id: string): Promise<ScheduleDocument> {
    const schedule = await this.repository.get(id);
    if (!schedule) throw new NotFoundError('schedule', id);
    return schedule;
  }

  private nameOf(callback: JobCallbackClass | string): string {
    if (typeof callback === 'function') return getJobName(callback);
    assertJobName(callback, 'callback');
    if (this.registry && !this.registry.get(callback)) {
      throw new InvalidInputError('callback', `no callback named '${callback}' is registered`);
    }
    return callback;
  }
}
