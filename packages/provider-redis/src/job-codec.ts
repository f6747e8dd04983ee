import {
  type AttemptRecord,
  checkConcurrencyLimit,
  checkFlowKey,
  checkLabels,
  checkRateLimit,
  type JobDocument,
  type JobPatch,
  type JobStatus,
  type NewJob,
  type RateLimit,
} from '@jobservice/core';
import * as check from './input-checks.js';

/**
 * How a job document is laid out in its Redis hash: text fields raw,
 * numbers as decimal text, booleans `1`/`0`, JSON fields as JSON text,
 * `history` as one JSON record per line (JSON text never holds a raw line
 * break). A null field is absent.
 */
type FieldKind = 'text' | 'number' | 'bool' | 'json' | 'history';

const PATCH_FIELDS: Record<keyof JobPatch, FieldKind> = {
  metadata: 'json',
  status: 'text',
  priority: 'number',
  runAt: 'number',
  attempt: 'number',
  maxAttempts: 'number',
  backoff: 'json',
  timeoutMs: 'number',
  leaseToken: 'number',
  leaseExpiresAt: 'number',
  workerId: 'text',
  reserved: 'bool',
  cancelRequested: 'bool',
  recovering: 'bool',
  progress: 'json',
  result: 'json',
  error: 'json',
  history: 'history',
  logs: 'json',
  scheduleId: 'text',
  startedAt: 'number',
  finishedAt: 'number',
};

/** The hash fields of a new job, except `runAt`, `createdAt` and `updatedAt` (the script sets those). */
export function encodeNewJob(job: NewJob, field = 'job'): string[] {
  if (job === null || typeof job !== 'object') throw new check.InvalidInput(field, 'must be a job object');
  const out = [
    'id',
    check.text(job.id, `${field}.id`),
    'name',
    check.text(job.name, `${field}.name`),
    'status',
    job.parents && job.parents.length > 0 ? 'waiting' : 'scheduled',
    'priority',
    String(check.int32(job.priority, `${field}.priority`)),
    'attempt',
    '0',
    'maxAttempts',
    String(check.int32(job.maxAttempts, `${field}.maxAttempts`)),
    'backoff',
    check.json(job.backoff, `${field}.backoff`),
    'leaseToken',
    '0',
    'reserved',
    '0',
    'cancelRequested',
    '0',
    'recovering',
    '0',
    'version',
    '1',
  ];
  if (job.metadata !== null) out.push('metadata', check.json(job.metadata, `${field}.metadata`));
  if (job.timeoutMs !== null && job.timeoutMs !== undefined) {
    out.push('timeoutMs', String(check.finite(job.timeoutMs, `${field}.timeoutMs`)));
  }
  if (job.key !== null && job.key !== undefined) out.push('key', check.text(job.key, `${field}.key`));
  if (job.scheduleId !== null && job.scheduleId !== undefined) {
    out.push('scheduleId', check.text(job.scheduleId, `${field}.scheduleId`));
  }
  if (job.trace !== null && job.trace !== undefined)
    out.push('trace', check.json(job.trace, `${field}.trace`));
  const labels = checkLabels(job.labels, `${field}.labels`);
  if (Object.keys(labels).length > 0) out.push('labels', JSON.stringify(labels));
  out.push(...flowFields(job, field));
  if (job.parents !== undefined && job.parents !== null && job.parents.length > 0) {
    if (!Array.isArray(job.parents))
      throw new check.InvalidInput(`${field}.parents`, 'must be an array of job ids');
    out.push('parents', JSON.stringify(job.parents.map((id, i) => check.text(id, `${field}.parents[${i}]`))));
    const policy = job.onParentFailure ?? 'cancel';
    if (policy !== 'cancel' && policy !== 'run') {
      throw new check.InvalidInput(
        `${field}.onParentFailure`,
        `must be 'cancel' or 'run', got ${String(policy)}`,
      );
    }
    if (policy === 'run') out.push('onParentFailure', 'run');
  }
  return out;
}

/** `runAt` and `delayMs` as the insert script takes them ('' runAt: now + delayMs). */
export function encodeDueTime(job: NewJob, field = 'job'): [string, string] {
  const runAt = job.runAt === undefined ? '' : String(check.finite(job.runAt, `${field}.runAt`));
  const delayMs = String(check.finite(job.delayMs ?? 0, `${field}.delayMs`));
  return [runAt, delayMs];
}

/** A patch as fields to set (pairs) and fields to clear; immutable and unknown fields are left out. */
export function encodePatch(patch: JobPatch): { sets: string[]; clears: string[] } {
  if (patch === null || typeof patch !== 'object') throw new check.InvalidInput('patch', 'must be an object');
  const sets: string[] = [];
  const clears: string[] = [];
  for (const [field, kind] of Object.entries(PATCH_FIELDS) as Array<[keyof JobPatch, FieldKind]>) {
    const value = patch[field];
    if (value === undefined) continue;
    const name = `patch.${field}`;
    if (value === null) {
      if (kind === 'history' || kind === 'bool') throw new check.InvalidInput(name, 'must not be null');
      clears.push(field);
      continue;
    }
    const encoded = encodeValue(kind, value, name, field);
    if (encoded === null) clears.push(field);
    else sets.push(field, encoded);
  }
  return { sets, clears };
}

function encodeValue(kind: FieldKind, value: unknown, name: string, field: string): string | null {
  switch (kind) {
    case 'text':
      return field === 'status' ? check.status(value, name) : check.text(value, name);
    case 'number':
      return String(field === 'priority' ? check.int32(value, name) : check.finite(value, name));
    case 'bool':
      return check.bool(value, name) ? '1' : '0';
    case 'json':
      return check.json(value, name);
    case 'history':
      return encodeHistory(value, name);
  }
  return null;
}

/** One JSON record per line; `null` (clear the field) for an empty history. */
export function encodeHistory(value: unknown, name = 'patch.history'): string | null {
  if (!Array.isArray(value)) throw new check.InvalidInput(name, 'must be an array of attempt records');
  if (value.length === 0) return null;
  return value.map((record, i) => check.json(record, `${name}[${i}]`)).join('\n');
}

const num = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
const json = (v: string | undefined): never | null => (v === undefined ? null : JSON.parse(v));

/** A job document from a hash's flat field/value list (as HGETALL or a script returns it). */
export function decodeJob(flat: readonly string[]): JobDocument {
  const f: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
  return decodeFields(f);
}

/** A job document from its hash fields. */
/** The labels of every job without any (frozen: shared). */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
/** The logs of every job that never logged (frozen: shared). */
const NO_LOGS: NonNullable<JobDocument['logs']> = Object.freeze([]) as unknown as NonNullable<
  JobDocument['logs']
>;
/** The hash fields of a job's concurrency key, its limit and its rate limit (none when absent). */
function flowFields(job: NewJob, field: string): string[] {
  const out: string[] = [];
  if (job.concurrencyKey !== null && job.concurrencyKey !== undefined) {
    const limit = job.concurrencyLimit ?? 1;
    out.push('concurrencyKey', checkFlowKey(job.concurrencyKey, `${field}.concurrencyKey`));
    out.push('concurrencyLimit', String(checkConcurrencyLimit(limit, `${field}.concurrencyLimit`)));
  }
  if (job.rateLimit !== null && job.rateLimit !== undefined) {
    out.push('rateLimit', JSON.stringify(checkRateLimit(job.rateLimit, `${field}.rateLimit`)));
  }
  return out;
}

/** The parents of every job that is not a continuation (frozen: shared). */
const NO_PARENTS: string[] = Object.freeze([]) as unknown as string[];

export function decodeFields(f: Record<string, string | undefined>): JobDocument {
  const history = f.history;
  return {
    id: f.id as string,
    name: f.name as string,
    // Kept for core's claim fallback; this store's own claim does not enforce them (no `flowControl`).
    concurrencyKey: f.concurrencyKey ?? null,
    concurrencyLimit: f.concurrencyKey ? Number(f.concurrencyLimit ?? 1) : null,
    rateLimit: f.rateLimit ? (JSON.parse(f.rateLimit) as RateLimit) : null,
    metadata: json(f.metadata),
    status: f.status as JobStatus,
    priority: Number(f.priority),
    runAt: Number(f.runAt),
    attempt: Number(f.attempt),
    maxAttempts: Number(f.maxAttempts),
    backoff: JSON.parse(f.backoff as string),
    timeoutMs: num(f.timeoutMs),
    key: f.key ?? null,
    leaseToken: Number(f.leaseToken),
    leaseExpiresAt: num(f.leaseExpiresAt),
    workerId: f.workerId ?? null,
    reserved: f.reserved === '1',
    cancelRequested: f.cancelRequested === '1',
    recovering: f.recovering === '1',
    progress: json(f.progress),
    result: json(f.result),
    error: json(f.error),
    history: history ? history.split('\n').map((line) => JSON.parse(line) as AttemptRecord) : [],
    logs: f.logs ? (JSON.parse(f.logs) as JobDocument['logs']) : NO_LOGS,
    scheduleId: f.scheduleId ?? null,
    trace: json(f.trace),
    labels: f.labels ? (JSON.parse(f.labels) as Record<string, string>) : NO_LABELS,
    parents: f.parents ? (JSON.parse(f.parents) as string[]) : NO_PARENTS,
    onParentFailure: f.onParentFailure === 'run' ? 'run' : 'cancel',
    createdAt: Number(f.createdAt),
    updatedAt: Number(f.updatedAt),
    startedAt: num(f.startedAt),
    finishedAt: num(f.finishedAt),
    version: Number(f.version),
  };
}
