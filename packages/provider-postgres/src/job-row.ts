import type {
  AttemptRecord,
  JobDocument,
  JobError,
  JobLogEntry,
  JobStatus,
  JsonValue,
  RateLimit,
  StoredBackoff,
  TraceCarrier,
} from '@jobservice/core';

/** A `jobs` row as `pg` returns it (bigint columns arrive as strings). */
export interface JobRow {
  id: string;
  name: string;
  status: JobStatus;
  priority: number;
  attempt: number;
  max_attempts: number;
  version: number;
  run_at: string;
  lease_token: string;
  lease_expires_at: string | null;
  timeout_ms: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested: boolean;
  recovering: boolean;
  reserved: boolean;
  key: string | null;
  worker_id: string | null;
  schedule_id: string | null;
  metadata: JsonValue;
  backoff: StoredBackoff;
  progress: JsonValue | null;
  result: JsonValue | null;
  error: JobError | null;
  history: AttemptRecord[];
  logs: JobLogEntry[] | null;
  traceparent: string | null;
  tracestate: string | null;
  labels: Record<string, string> | null;
  parents: string[] | null;
  on_parent_failure: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  rate_limit: RateLimit | null;
}

function num(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

function numOrNull(value: string | number | null): number | null {
  return value === null ? null : num(value);
}

function traceOf(row: JobRow): TraceCarrier | null {
  if (row.traceparent === null || row.traceparent === undefined) return null;
  return row.tracestate
    ? { traceparent: row.traceparent, tracestate: row.tracestate }
    : { traceparent: row.traceparent };
}

/** The logs of every job that never logged (frozen: shared). */
const NO_LOGS: JobLogEntry[] = Object.freeze([]) as unknown as JobLogEntry[];

/** The parents of every job that is not a continuation (frozen: shared). */
const NO_PARENTS: string[] = Object.freeze([]) as unknown as string[];

/** The labels of every job without any (frozen: shared). */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** The stored rate limit in the API's field order (jsonb sorts keys), or null. */
function rateLimitOf(limit: RateLimit | null | undefined): RateLimit | null {
  if (limit === null || limit === undefined) return null;
  return { key: limit.key, max: limit.max, perMs: limit.perMs };
}

/** Maps a row to the API's document (epoch ms numbers, camelCase). */
export function toJobDocument(row: JobRow): JobDocument {
  return {
    id: row.id,
    name: row.name,
    metadata: row.metadata,
    status: row.status,
    priority: row.priority,
    runAt: num(row.run_at),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    backoff: row.backoff,
    timeoutMs: numOrNull(row.timeout_ms),
    key: row.key,
    leaseToken: num(row.lease_token),
    leaseExpiresAt: numOrNull(row.lease_expires_at),
    workerId: row.worker_id,
    cancelRequested: row.cancel_requested,
    recovering: row.recovering,
    reserved: row.reserved,
    progress: row.progress,
    result: row.result,
    error: row.error,
    history: row.history,
    logs: row.logs ?? NO_LOGS,
    scheduleId: row.schedule_id,
    trace: traceOf(row),
    labels: row.labels ?? NO_LABELS,
    parents: row.parents ?? NO_PARENTS,
    onParentFailure: row.on_parent_failure === 'run' ? 'run' : 'cancel',
    concurrencyKey: row.concurrency_key ?? null,
    concurrencyLimit: row.concurrency_limit ?? null,
    rateLimit: rateLimitOf(row.rate_limit),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    startedAt: numOrNull(row.started_at),
    finishedAt: numOrNull(row.finished_at),
    version: row.version,
  };
}
