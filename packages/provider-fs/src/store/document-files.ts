import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { JOB_STATUSES, type JobDocument } from '@jobservice/core';
import { errorCode, unlinkIfExists, unlinkQuietly, writeNewFile } from '../io/durable-io.js';
import { encodeSegment, isHashedSegment } from '../naming/encode-segment.js';
import { tempName } from '../naming/owned-names.js';

/** A document file that exists but is not a valid job document. */
export interface CorruptDocument {
  corrupt: true;
  /** The file's path. */
  path: string;
  /** What is wrong with it. */
  reason: string;
}

/** What reading a job's file found. */
export type ReadResult = JobDocument | CorruptDocument | null;

/** True when a read found a corrupt file. */
export function isCorrupt(result: ReadResult): result is CorruptDocument {
  return result !== null && (result as CorruptDocument).corrupt === true;
}

const STATUSES = new Set<string>(JOB_STATUSES);
const DOC_SUFFIX = '.json';
/** Temp files written (and fsynced) at once by a write-back. */
const TEMPS_IN_FLIGHT = 2;

/**
 * The `jobs/` folder: one JSON document per job, named after its encoded id,
 * written back from the index log and only ever replaced by renaming a
 * complete temp file over it, so a reader sees the old or the new document
 * and never a torn one.
 */
export class DocumentFiles {
  constructor(
    /** The `jobs/` folder. */
    readonly dir: string,
    private readonly corruptDir: string,
    private readonly durable: boolean,
  ) {}

  /** The file name of a job's document. */
  fileOf(id: string): string {
    return `${encodeSegment(id, 'id')}${DOC_SUFFIX}`;
  }

  /** Reads a job's document: the document, `null` when absent, or what is corrupt about it. */
  read(id: string): ReadResult {
    const file = this.fileOf(id);
    const path = join(this.dir, file);
    const result = readDocumentFile(path);
    if (!isCorrupt(result) && result !== null && result.id !== id) {
      // Only a hash collision could bring another id here: not this job.
      if (isHashedSegment(file)) return null;
      return { corrupt: true, path, reason: `it holds job ${JSON.stringify(result.id)}, not ${id}` };
    }
    return result;
  }

  /** A job's document, `null` when absent, unreadable or corrupt (for corrections). */
  readQuietly(id: string): JobDocument | null {
    try {
      const result = this.read(id);
      return isCorrupt(result) ? null : result;
    } catch {
      return null;
    }
  }

  /** Reads a document by file name (for rebuilds); `null` when it vanished. */
  readFile(file: string): ReadResult {
    const path = join(this.dir, file);
    const result = readDocumentFile(path);
    if (result !== null && !isCorrupt(result) && this.fileOf(result.id) !== file) {
      return { corrupt: true, path, reason: `it holds job ${JSON.stringify(result.id)}, stored elsewhere` };
    }
    return result;
  }

  /**
   * Writes each document text to a new temp file in `jobs/` (with full
   * durability fsynced), all at once, and returns the temp names in order;
   * {@link install} renames one over its job's file, {@link discard} drops
   * them. Nothing is left behind on failure.
   */
  async writeTemps(items: ReadonlyArray<{ id: string; text: string }>): Promise<string[]> {
    const temps = items.map(() => tempName());
    // A few fsyncs at a time: they run on libuv's small thread pool, where the index
    // log's fdatasync (every caller's acknowledgement) must not queue behind hundreds.
    for (let from = 0; from < items.length; from += TEMPS_IN_FLIGHT) {
      const writes = items
        .slice(from, from + TEMPS_IN_FLIGHT)
        .map((item, k) => writeNewFile(join(this.dir, temps[from + k] as string), item.text, this.durable));
      const outcomes = await Promise.allSettled(writes);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) {
        this.discard(temps);
        throw failed.reason;
      }
    }
    return temps;
  }

  /** Removes temp files (those already renamed are gone). */
  discard(temps: readonly string[]): void {
    for (const temp of temps) unlinkQuietly(join(this.dir, temp));
  }

  /** Renames a temp file over the job's document (write-back; commits of format 1). */
  install(temp: string, id: string): void {
    renameSync(join(this.dir, temp), join(this.dir, this.fileOf(id)));
  }

  /** True when a temp file is still there (not yet installed). */
  hasTemp(temp: string): boolean {
    return existsSync(join(this.dir, temp));
  }

  /** Removes a job's document; false when there was none. */
  remove(id: string): boolean {
    return unlinkIfExists(join(this.dir, this.fileOf(id)));
  }

  /** Moves a corrupt file to `corrupt/` and returns where it went (`null` when it vanished). */
  quarantine(path: string): string | null {
    const name = basename(path);
    const target = join(this.corruptDir, `${name}.${Date.now()}`);
    try {
      renameSync(path, target);
      return target;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  /** Every document file name in `jobs/`. */
  listDocuments(): string[] {
    return readdirSync(this.dir).filter((name) => name.endsWith(DOC_SUFFIX) && !name.startsWith('~'));
  }
}

/** Parses and checks a document's text. */
export function parseDocument(text: string, path: string): JobDocument | CorruptDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { corrupt: true, path, reason: `not valid JSON (${(error as Error).message})` };
  }
  const problem = checkDocument(raw);
  return problem ? { corrupt: true, path, reason: problem } : withDefaults(raw as JobDocument);
}

/**
 * Fills the fields documents written before they existed lack: `reserved`
 * (such a job was never reserved), `history` (no attempts recorded) and
 * `trace` (none carried), `labels` (none), `parents` (not a continuation) and `logs` (none).
 */
function withDefaults(doc: JobDocument): JobDocument {
  if (doc.reserved === undefined) doc.reserved = false;
  if (doc.history === undefined) doc.history = [];
  if (doc.trace === undefined) doc.trace = null;
  if (doc.labels === undefined) doc.labels = {};
  if (doc.parents === undefined) doc.parents = [];
  if (doc.logs === undefined) doc.logs = [];
  if (doc.onParentFailure === undefined) doc.onParentFailure = 'cancel';
  return doc;
}

function checkDocument(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'not a JSON object';
  const d = raw as Record<string, unknown>;
  if (typeof d.id !== 'string' || d.id.length === 0) return 'no id';
  if (typeof d.name !== 'string') return 'no name';
  if (typeof d.status !== 'string' || !STATUSES.has(d.status)) return `unknown status ${String(d.status)}`;
  for (const field of ['version', 'priority', 'runAt', 'attempt', 'maxAttempts', 'leaseToken', 'createdAt']) {
    if (typeof d[field] !== 'number' || !Number.isFinite(d[field] as number)) return `no numeric ${field}`;
  }
  if (!Number.isInteger(d.version) || (d.version as number) < 1) return 'version is not a positive integer';
  if (typeof d.cancelRequested !== 'boolean' || typeof d.recovering !== 'boolean') return 'no flags';
  if (d.reserved !== undefined && typeof d.reserved !== 'boolean') return 'reserved is not a boolean';
  if (d.history !== undefined && !Array.isArray(d.history)) return 'history is not an array';
  if (d.parents !== undefined && !Array.isArray(d.parents)) return 'parents is not an array';
  if (d.key !== null && typeof d.key !== 'string') return 'key is neither a string nor null';
  if (!('metadata' in d)) return 'no metadata';
  return null;
}

/** Reads and parses one document file; `null` when it does not exist. */
function readDocumentFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  return parseDocument(text, path);
}
