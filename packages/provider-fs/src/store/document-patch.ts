import { InvalidInputError, type JobDocument, type NewJob } from '@jobservice/core';
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

/** Reads a job's document; a corrupt one is quarantined (logged) and reads as absent. */
export async function readOrQuarantine(engine: StoreEngine, id: string): Promise<JobDocument | null> {
  const result = engine.docs.read(id);
  if (!isCorrupt(result)) return result;
  await engine.quarantine(result, id);
  return null;
}

/** {@link readOrQuarantine} for a caller holding the store lock. */
export function readLocked(engine: StoreEngine, id: string): JobDocument | null {
  const result: ReadResult = engine.docs.read(id);
  if (!isCorrupt(result)) return result;
  engine.quarantineLocked(result as CorruptDocument, id);
  return null;
}
