import { InvalidInputError, type JobDocument, type NewJob } from '@jobservice/core';
import { entryOf } from '../index/index-entry.js';
import { encodeSegment } from '../naming/encode-segment.js';
import type { CorruptDocument, ReadResult } from './document-files.js';
import { isCorrupt } from './document-files.js';
import type { StoreEngine } from './store-engine.js';

/** Checks what the file-system store itself relies on in a new job; names `field` on failure. */
export function checkNewJob(job: NewJob, field: string): void {
  if (job === null || typeof job !== 'object') {
    throw new InvalidInputError(field, 'must be a job object');
  }
  encodeSegment(job.id, `${field}.id`);
  if (typeof job.name !== 'string' || job.name.length === 0) {
    throw new InvalidInputError(`${field}.name`, 'must be a non-empty string');
  }
  if (job.key !== null && job.key !== undefined) encodeSegment(job.key, `${field}.key`);
}

/**
 * Reads a job's current document (after catching up with the log); a
 * corrupt file is quarantined (logged) and reads as absent.
 */
export async function readOrQuarantine(engine: StoreEngine, id: string): Promise<JobDocument | null> {
  await engine.refresh();
  const result = engine.readDoc(id);
  if (!isCorrupt(result)) return result;
  await engine.locked(() => quarantineLocked(engine, result, id));
  return null;
}

/** {@link readOrQuarantine} for a caller holding the store lock. */
export function readLocked(engine: StoreEngine, id: string): JobDocument | null {
  const result: ReadResult = engine.readDoc(id);
  if (!isCorrupt(result)) return result;
  quarantineLocked(engine, result as CorruptDocument, id);
  return null;
}

/** Under the lock: moves a corrupt file to `corrupt/`, logs it naming the file, and drops the job. */
function quarantineLocked(engine: StoreEngine, corrupt: CorruptDocument, id: string): void {
  const current = engine.docs.read(id);
  if (current === null || !isCorrupt(current)) return; // replaced or gone meanwhile
  const moved = engine.docs.quarantine(corrupt.path);
  engine.logger.error(`fs: corrupt job document ${corrupt.path} (${corrupt.reason}); moved to ${moved}`);
  const key = engine.index.entries.get(id)?.key ?? null;
  if (engine.index.entries.has(id)) {
    engine.appendLocked({ owner: engine.ownerTag, records: [{ record: { id, removed: true, key } }] });
    if (key !== null) engine.keys.release(key, id);
  }
}

/**
 * Under the lock: re-logs a job whose file disagrees with its index entry
 * (changed by hand, or gone): the file's document, or the job's removal.
 */
export function correctFromFile(engine: StoreEngine, id: string, doc: JobDocument | null): void {
  const key = engine.index.entries.get(id)?.key ?? null;
  const record = doc ? entryOf(doc) : { id, removed: true as const, key };
  engine.appendLocked({ owner: engine.ownerTag, records: [{ record }] });
}
