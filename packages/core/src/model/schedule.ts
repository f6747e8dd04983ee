import type { StoredBackoff } from './job.js';
import type { JsonValue } from './json.js';
import type { JobLabels } from './labels.js';

/**
 * What happens to ticks that came due while no dispatcher could fire them
 * (downtime longer than the misfire threshold):
 * - `fire-once-now`: one run now for all of them (Quartz's FireOnceNow);
 * - `fire-all`: one run per missed tick within `catchupWindowMs`;
 * - `skip`: none; the schedule continues with its next future tick.
 */
export type MisfirePolicy = 'fire-once-now' | 'fire-all' | 'skip';

/**
 * What a tick does while the schedule's previous run is still scheduled or
 * running:
 * - `allow`: fire anyway (runs may overlap);
 * - `skip`: drop the tick (Quartz's DisallowConcurrentExecution);
 * - `queue`: hold the tick and fire it when the previous run ends (at most
 *   one held tick: ticks that pass meanwhile join it).
 */
export type OverlapPolicy = 'allow' | 'skip' | 'queue';

/** Job options copied into each job a schedule fires. */
export interface ScheduledJobOptions {
  priority: number;
  maxAttempts: number | null;
  backoff: StoredBackoff | null;
  timeoutMs: number | null;
  /** Labels every fired job carries; `{}` for none (also for schedules stored before labels existed). */
  labels?: JobLabels;
}

/**
 * A recurring trigger, stored beside the jobs it fires. Each fire inserts
 * one job whose idempotency key is `schedule id + fire time`, and advances
 * `nextRunAt` by compare-and-set, so N dispatchers fire each tick once.
 * Times are epoch ms on the store's clock.
 */
export interface ScheduleDocument {
  /** The schedule id chosen by the user (upsert key). */
  id: string;
  /** The callback name it fires. */
  name: string;
  /** Cron expression (5 or 6 fields, or a shorthand), when cron-driven. */
  cron: string | null;
  /** Interval in ms, when interval-driven (anchored at `startAt`, else creation). */
  everyMs: number | null;
  /** The single fire time of a one-off schedule. */
  at: number | null;
  /** IANA time zone for cron and excluded dates; `null` for UTC. */
  timezone: string | null;
  /** Merged over the callback's static `defaultMetadata` for each run. */
  metadata: JsonValue;
  misfire: MisfirePolicy;
  /** How late a tick may be seen before it counts as missed. */
  misfireThresholdMs: number;
  /** `fire-all` catches up ticks no older than this. */
  catchupWindowMs: number;
  overlap: OverlapPolicy;
  /** After a successful run, the callback's `metadata` is written back here. */
  persistMetadata: boolean;
  /** No ticks before this. */
  startAt: number | null;
  /** No ticks after this; the schedule then ends (`nextRunAt` null). */
  endAt: number | null;
  /** Each fired job is due up to this much after its tick (spreads load). */
  jitterMs: number;
  /** Dates (`YYYY-MM-DD` in the schedule's zone) on which ticks are skipped. */
  excludeDates: string[];
  /** A calendar registered with the dispatcher whose excluded days are skipped. */
  calendar: string | null;
  /** Options for each fired job. */
  job: ScheduledJobOptions;
  /** The next tick to fire; `null` when the schedule has ended. */
  nextRunAt: number | null;
  /** The last tick fired. */
  lastFireAt: number | null;
  /** The job the last tick fired. */
  lastJobId: string | null;
  /** Paused schedules do not fire; resuming skips what passed meanwhile. */
  paused: boolean;
  createdAt: number;
  updatedAt: number;
  /** Compare-and-set guard. */
  version: number;
}
