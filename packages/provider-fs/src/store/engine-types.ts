import type { JobDocument, Logger } from '@jobservice/core';
import type { Durability } from '../io/durable-io.js';

/** The store's on-disk format; a root written by a newer one is refused. */
export const STORE_FORMAT = 'jobservice-fs-store';
/** The format version this code reads and writes. */
export const STORE_FORMAT_VERSION = 1;

/** One document write (or removal) inside a commit. */
export interface CommitWrite {
  id: string;
  /** The new document; `null` removes the job. */
  doc: JobDocument | null;
  /** The prepared temp file holding `doc`. */
  temp?: string;
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
  logger: Logger;
}
