import { isAbsolute, resolve } from 'node:path';
import { usageError } from './errors.js';

/** A PostgreSQL store: one provider that is store and queue. */
export interface PostgresStoreDescription {
  kind: 'postgres';
  /** The connection string, as given (`postgres://…` or `postgresql://…`). */
  connectionString: string;
}

/**
 * A file-system store on this host: jobs under `<root>/jobs`, bells under
 * `<root>/bells`.
 */
export interface FsStoreDescription {
  kind: 'fs';
  /** The absolute folder holding `jobs/` and `bells/`. */
  root: string;
}

/** Where the jobs live, parsed from a store URL. */
export type StoreDescription = PostgresStoreDescription | FsStoreDescription;

/** The store URL forms the CLI accepts, for messages. */
export const ACCEPTED_STORE_FORMS = 'postgres://…, postgresql://… or fs:<folder>';

/**
 * Parses a store URL: `postgres://…` / `postgresql://…` for PostgreSQL,
 * `fs:<folder>` (relative to `baseDir`, or absolute) for a file-system store.
 * Anything else is a usage error naming the accepted forms. Pure: touches
 * neither the network nor the disk.
 *
 * @example
 * parseStoreUrl('fs:./data', '/srv/app'); // { kind: 'fs', root: '/srv/app/data' }
 */
export function parseStoreUrl(url: string, baseDir: string = process.cwd()): StoreDescription {
  const text = url.trim();
  if (text === '') throw usageError(`the store URL is empty; use ${ACCEPTED_STORE_FORMS}`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!/^[a-z]+:\/\//i.test(text)) {
      throw usageError(`a PostgreSQL store URL starts with ${scheme}://, got '${redact(text)}'`);
    }
    return { kind: 'postgres', connectionString: text };
  }
  if (scheme === 'fs') {
    const folder = text.slice('fs:'.length).replace(/^\/\/(?=\/)/, '');
    if (folder === '') throw usageError('an fs store URL names a folder: fs:./data or fs:/var/lib/jobs');
    return { kind: 'fs', root: isAbsolute(folder) ? resolve(folder) : resolve(baseDir, folder) };
  }
  const shown = scheme ? `'${scheme}:'` : `'${redact(text)}'`;
  throw usageError(`unsupported store ${shown}; use ${ACCEPTED_STORE_FORMS}`);
}

/** A URL with its password replaced by `***`, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** A one-line description of a store for messages, e.g. `fs:/srv/data` (passwords hidden). */
export function describeStore(store: StoreDescription): string {
  return store.kind === 'fs' ? `fs:${store.root}` : redact(store.connectionString);
}
