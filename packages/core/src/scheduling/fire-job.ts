import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_BACKOFF, toStoredBackoff } from '../callbacks/backoff.js';
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { NewJob } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { ScheduleDocument } from '../model/schedule.js';
import { fireKey } from './schedule-repository.js';

/** Attempts a fired job gets when neither the schedule nor its callback says. */
const DEFAULT_FIRED_ATTEMPTS = 3;

/** Merges a schedule's metadata over the callback's defaults (objects field by field; otherwise the schedule's). */
export function mergeMetadata(defaults: JsonValue | undefined, metadata: JsonValue): JsonValue {
  const isObject = (v: unknown): v is Record<string, JsonValue> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(defaults) && isObject(metadata)) return { ...defaults, ...metadata };
  return metadata ?? defaults ?? null;
}

/**
 * The job one fire of `schedule` at `tick` inserts: key `schedule id +
 * tick`, so racing dispatchers insert it once. `callback` supplies the
 * defaults the schedule leaves open; a process without the callback's code
 * (a CLI, a dashboard) passes `undefined` and gets the built-in defaults.
 */
export function fireJob(
  schedule: ScheduleDocument,
  callback: JobCallbackClass | undefined,
  tick: number,
  jitterMs = 0,
): NewJob {
  return {
    id: uuidv7(),
    name: schedule.name,
    metadata: mergeMetadata(callback?.defaultMetadata, schedule.metadata),
    priority: schedule.job.priority,
    runAt: tick + jitterMs,
    maxAttempts: schedule.job.maxAttempts ?? callback?.maxAttempts ?? DEFAULT_FIRED_ATTEMPTS,
    backoff:
      schedule.job.backoff ??
      (callback?.backoff ? toStoredBackoff(callback.backoff, `${callback.name}.backoff`) : DEFAULT_BACKOFF),
    timeoutMs: schedule.job.timeoutMs ?? callback?.timeoutMs ?? null,
    key: fireKey(schedule.id, tick),
    scheduleId: schedule.id,
    ...(schedule.job.labels && Object.keys(schedule.job.labels).length > 0
      ? { labels: schedule.job.labels }
      : {}),
  };
}
