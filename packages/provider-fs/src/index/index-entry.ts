import { JOB_STATUSES, type JobDocument, type JobLabels, type JobStatus } from '@jobservice/core';

/** What the index keeps of a job: every field a query filters or orders on. */
export interface IndexEntry {
  id: string;
  version: number;
  status: JobStatus;
  name: string;
  priority: number;
  runAt: number;
  leaseExpiresAt: number | null;
  key: string | null;
  finishedAt: number | null;
  scheduleId: string | null;
  cancelRequested: boolean;
  /** The job's concurrency key; absent when it has none (and in entries logged before flow control). */
  concurrencyKey?: string;
  /** Running jobs allowed per {@link concurrencyKey} (with it). */
  concurrencyLimit?: number;
  /** `true` when the job has a rate limit; absent otherwise. */
  rated?: true;
  /** The job's labels; absent when it has none (and in entries logged before labels existed). */
  labels?: JobLabels;
  /**
   * Where the job's current document lies in the index log generation this
   * process follows (byte offset and length of its body line, after the
   * `D` mark); absent when `jobs/<id>.json` holds the current document.
   */
  at?: number;
  /** The body's length in bytes (with {@link at}). */
  len?: number;
}

/** A job's removal from the index (deleted, or quarantined as corrupt). */
export interface IndexRemoval {
  id: string;
  removed: true;
  key: string | null;
}

/** One change in the index log: an entry (a write) or a removal. */
export type IndexRecord = IndexEntry | IndexRemoval;

/**
 * A record as one commit logs it. `body` (when writing) is the document's
 * JSON, written as a body line before the commit line; a record read back
 * with `hasBody` takes the next body line (its place lands in `record.at`).
 * `temp` names a temp file to rename into place (logs of format 1 only).
 */
export interface LoggedRecord {
  record: IndexRecord;
  body?: string;
  hasBody?: boolean;
  temp?: string;
}

/** The entry for a stored document. */
export function entryOf(doc: JobDocument): IndexEntry {
  return {
    id: doc.id,
    version: doc.version,
    status: doc.status,
    name: doc.name,
    priority: doc.priority,
    runAt: doc.runAt,
    leaseExpiresAt: doc.leaseExpiresAt,
    key: doc.key,
    finishedAt: doc.finishedAt,
    scheduleId: doc.scheduleId,
    cancelRequested: doc.cancelRequested,
    ...(doc.labels && Object.keys(doc.labels).length > 0 ? { labels: doc.labels } : {}),
    ...(doc.concurrencyKey != null
      ? { concurrencyKey: doc.concurrencyKey, concurrencyLimit: doc.concurrencyLimit ?? 1 }
      : {}),
    ...(doc.rateLimit != null ? { rated: true as const } : {}),
  };
}

/** True for a removal. */
export function isRemoval(record: IndexRecord): record is IndexRemoval {
  return (record as IndexRemoval).removed === true;
}

/**
 * The compact JSON form written to the log (short keys; one line holds a
 * whole commit). Flow-control fields (`ck`, `cl`, `rl`) are written only
 * when set, so lines of jobs without them read the same in older code.
 */
export function encodeRecord(logged: LoggedRecord): Record<string, unknown> {
  const r = logged.record;
  if (isRemoval(r)) return { i: r.id, x: 1, k: r.key };
  const out: Record<string, unknown> = {
    i: r.id,
    v: r.version,
    s: r.status,
    n: r.name,
    p: r.priority,
    r: r.runAt,
    l: r.leaseExpiresAt,
    k: r.key,
    f: r.finishedAt,
    c: r.scheduleId,
    q: r.cancelRequested ? 1 : 0,
  };
  if (r.labels !== undefined) out.g = r.labels;
  if (r.concurrencyKey !== undefined) {
    out.ck = r.concurrencyKey;
    out.cl = r.concurrencyLimit ?? 1;
  }
  if (r.rated) out.rl = 1;
  if (logged.temp !== undefined) out.t = logged.temp;
  if (logged.body !== undefined || logged.hasBody) out.b = 1;
  return out;
}

const STATUSES = new Set<string>(JOB_STATUSES);

/** Reads {@link encodeRecord}'s form back; `null` when it is not one. */
export function decodeRecord(raw: unknown): LoggedRecord | null {
  if (raw === null || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.i !== 'string') return null;
  const key = typeof o.k === 'string' ? o.k : null;
  if (o.x === 1) return { record: { id: o.i, removed: true, key } };
  if (typeof o.v !== 'number' || typeof o.s !== 'string' || !STATUSES.has(o.s)) return null;
  if (typeof o.n !== 'string' || typeof o.p !== 'number' || typeof o.r !== 'number') return null;
  const logged: LoggedRecord = {
    record: {
      id: o.i,
      version: o.v,
      status: o.s as JobStatus,
      name: o.n,
      priority: o.p,
      runAt: o.r,
      leaseExpiresAt: typeof o.l === 'number' ? o.l : null,
      key,
      finishedAt: typeof o.f === 'number' ? o.f : null,
      scheduleId: typeof o.c === 'string' ? o.c : null,
      cancelRequested: o.q === 1,
    },
  };
  if (o.g !== null && typeof o.g === 'object' && !Array.isArray(o.g)) {
    (logged.record as IndexEntry).labels = o.g as JobLabels;
  }
  if (typeof o.ck === 'string') {
    (logged.record as IndexEntry).concurrencyKey = o.ck;
    (logged.record as IndexEntry).concurrencyLimit = typeof o.cl === 'number' && o.cl >= 1 ? o.cl : 1;
  }
  if (o.rl === 1) (logged.record as IndexEntry).rated = true;
  if (typeof o.t === 'string') logged.temp = o.t;
  if (o.b === 1) logged.hasBody = true;
  return logged;
}
