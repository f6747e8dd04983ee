import type { JobDocument, Logger } from '@jobservice/core';
import type { Durability } from '../io/durable-io.js';

/** The store's on-disk format; a root written by a newer one is refused. */
export const STORE_FORMAT = 'jobservice-fs-store';
/**
 * The format version this code writes: 2 carries documents in the index log
 * (the redo log) until they are written back to `jobs/`. Roots of format 1
 * (documents only in `jobs/`) are read and marked 2 on open.
 */
export const STORE_FORMAT_VERSION = 2;

/** One document write (or removal) inside a commit. */
export interface CommitWrite {
  id: string;
  /** The new document; `null` removes the job. */
  doc: JobDocument | null;
  /** For a removal: the key to release. */
  key?: string | null;
}

/** Settings the engine needs (resolved from the provider's options). */
export interface EngineSettings {
  root: string;
  durability: Durability;
  create: boolean;
  lockTimeoutMs: number;
  sweepIntervalMs: number;
  compactBytes: number;
  writeBackIntervalMs: number;
  logger: Logger;
}
