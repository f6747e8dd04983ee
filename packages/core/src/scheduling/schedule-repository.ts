import { v7 as uuidv7 } from 'uuid';
import type { JobDocument } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { ScheduleDocument } from '../model/schedule.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';

/** The reserved callback name of the documents that hold schedules. No callback can take it. */
export const SCHEDULE_DOCUMENT_NAME = 'jobservice:schedule';

/** Far in the future: a schedule document is never due (and never claimable: no callback has its name). */
const NEVER = Date.UTC(9999, 0, 1);

/** The stored part of a schedule: everything but the store-kept fields. */
export type ScheduleFields = Omit<ScheduleDocument, 'createdAt' | 'updatedAt' | 'version'>;

/** A fired job's idempotency key: one job per schedule and tick, whoever fires it. */
export function fireKey(scheduleId: string, tick: number): string {
  return `jobservice:fire:${scheduleId}:${tick}`;
}

function keyOf(scheduleId: string): string {
  return `${SCHEDULE_DOCUMENT_NAME}:${scheduleId}`;
}

function toSchedule(doc: JobDocument): ScheduleDocument {
  const fields = doc.metadata as unknown as ScheduleFields;
  return { ...fields, createdAt: doc.createdAt, updatedAt: doc.updatedAt, version: doc.version };
}

/**
 * Schedules kept in any store: each is a job document with a reserved name
 * and key, never due, written only by compare-and-set. So every store that
 * passes the conformance kit stores schedules too, with the same guarantees.
 */
export class ScheduleRepository {
  constructor(private readonly store: IDocumentDataProvider) {}

  /** The schedule and the id of the document holding it, or `null`. */
  async find(scheduleId: string): Promise<{ schedule: ScheduleDocument; docId: string } | null> {
    const page = await this.store.query({
      key: keyOf(scheduleId),
      names: [SCHEDULE_DOCUMENT_NAME],
      limit: 1,
    });
    const doc = page.items[0];
    return doc ? { schedule: toSchedule(doc), docId: doc.id } : null;
  }

  /** The schedule, or `null`. */
  async get(scheduleId: string): Promise<ScheduleDocument | null> {
    return (await this.find(scheduleId))?.schedule ?? null;
  }

  /** Creates the schedule unless one with its id exists; returns whether it created it. */
  async create(fields: ScheduleFields): Promise<boolean> {
    const result = await this.store.insert({
      id: uuidv7(),
      name: SCHEDULE_DOCUMENT_NAME,
      metadata: fields as unknown as JsonValue,
      priority: 0,
      runAt: NEVER,
      maxAttempts: 1,
      backoff: { type: 'fixed', delayMs: 0 },
      timeoutMs: null,
      key: keyOf(fields.id),
    });
    return result.created;
  }

  /**
   * Compare-and-set on the schedule's version: applies `change` to the
   * stored fields and returns the schedule after the write, or `null` when
   * the version moved on (re-read and try again) or it is gone.
   */
  async update(
    current: ScheduleDocument,
    change: (fields: ScheduleFields) => ScheduleFields,
  ): Promise<ScheduleDocument | null> {
    const found = await this.find(current.id);
    if (!found || found.schedule.version !== current.version) return null;
    const { createdAt: _c, updatedAt: _u, version: _v, ...fields } = current;
    const after = await this.store.update(found.docId, current.version, {
      metadata: change(fields) as unknown as JsonValue,
    });
    return after ? toSchedule(after) : null;
  }

  /** Deletes the schedule; returns whether it existed. */
  async delete(scheduleId: string): Promise<boolean> {
    const found = await this.find(scheduleId);
    return found ? this.store.delete(found.docId) : false;
  }

  /** Every schedule, optionally only those firing the given callback names. */
  async list(names?: ReadonlySet<string>): Promise<ScheduleDocument[]> {
    const schedules: ScheduleDocument[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.store.query({ names: [SCHEDULE_DOCUMENT_NAME], limit: 500, cursor });
      for (const doc of page.items) {
        const schedule = toSchedule(doc);
        if (!names || names.has(schedule.name)) schedules.push(schedule);
      }
      cursor = page.cursor;
    } while (cursor);
    return schedules;
  }
}
