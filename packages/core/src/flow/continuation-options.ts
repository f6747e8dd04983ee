import { InvalidInputError } from '../errors.js';
import type { JobDocument, JobError, JobStatus, ParentFailurePolicy } from '../model/job.js';
import type { JsonValue } from '../model/json.js';

/** Most parents one job may wait for. */
export const MAX_PARENTS = 100;

/** How a parent ended, as a continuation's `ctx.parents()` reports it. */
export interface ParentOutcome {
  id: string;
  /** The parent's callback name; `null` when it was deleted. */
  name: string | null;
  /** Its status (terminal by the time the child runs), or `deleted`. */
  status: JobStatus | 'deleted';
  /** Its result when it completed, else `null`. */
  result: JsonValue | null;
  /** Its last error, if any. */
  error: JobError | null;
}

/** A parent's document as a {@link ParentOutcome}. */
export function parentOutcome(id: string, job: JobDocument | null): ParentOutcome {
  if (job === null) return { id, name: null, status: 'deleted', result: null, error: null };
  return { id, name: job.name, status: job.status, result: job.result, error: job.error };
}

/**
 * Checks an `after` list: 1–{@link MAX_PARENTS} distinct non-empty ids.
 * Returns them, or `undefined` when absent.
 */
export function checkParentIds(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARENTS) {
    throw new InvalidInputError(field, `must be an array of 1–${MAX_PARENTS} job ids to run after`);
  }
  const seen = new Set<string>();
  for (const [i, id] of value.entries()) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 512) {
      throw new InvalidInputError(
        `${field}[${i}]`,
        `must be a job id (a non-empty string), got ${String(id)}`,
      );
    }
    if (seen.has(id)) throw new InvalidInputError(`${field}[${i}]`, `names ${id} twice`);
    seen.add(id);
  }
  return [...seen];
}

/** Checks `onParentFailure`: `cancel` (the default) or `run`; only with `after`. */
export function checkParentFailurePolicy(
  value: unknown,
  hasParents: boolean,
  field: string,
): ParentFailurePolicy | undefined {
  if (value === undefined) return undefined;
  if (value !== 'cancel' && value !== 'run') {
    throw new InvalidInputError(field, `must be 'cancel' or 'run', got ${String(value)}`);
  }
  if (!hasParents) throw new InvalidInputError(field, 'only applies with after: [parent ids]');
  return value;
}
