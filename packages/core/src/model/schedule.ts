import type { JsonValue } from './json.js';

/**
 * A recurring trigger, reserved for the scheduling feature: the store keeps
 * it beside the jobs it fires. Each fire inserts one job whose idempotency
 * key is `schedule id + fire time`, so N dispatchers fire each tick once.
 */
export interface ScheduleDocument {
  /** The schedule id chosen by the user (upsert key). */
  id: string;
  /** The callback name it fires. */
  name: string;
  /** Cron expression, when cron-driven. */
  cron: string | null;
  /** Interval in ms, when interval-driven. */
  everyMs: number | null;
  /** IANA time zone for cron; `null` for UTC. */
  timezone: string | null;
  /** Metadata merged over the callback's defaults for each run. */
  metadata: JsonValue;
  /** The next fire time (epoch ms on the store's clock); `null` when done. */
  nextRunAt: number | null;
  /** Paused schedules do not fire. */
  paused: boolean;
  createdAt: number;
  updatedAt: number;
  /** Compare-and-set guard. */
  version: number;
}
