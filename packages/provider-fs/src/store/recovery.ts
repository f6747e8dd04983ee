import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@jobservice/core';
import { entryOf, isRemoval } from '../index/index-entry.js';
import type { IndexLog } from '../index/index-log.js';
import type { JobIndex } from '../index/job-index.js';
import { unlinkQuietly } from '../io/durable-io.js';
import { ownerOfName } from '../naming/owned-names.js';
import { isProcessAlive, type ProcessIdentity } from '../process/process-identity.js';
import { type DocumentFiles, isCorrupt } from './document-files.js';
import type { KeyFiles } from './key-files.js';

/** The reason given when a root has no index yet (a new store: nothing worth a warning). */
export const FRESH_ROOT = 'the root has no index yet';

/** The parts of a store the recovery steps work on (all under the store lock). */
export interface RecoveryParts {
  root: string;
  index: JobIndex;
  log: IndexLog;
  docs: DocumentFiles;
  keys: KeyFiles;
  logger: Logger;
  durable: boolean;
}

/**
 * Finishes the last commit of a holder that died with the store lock: its
 * line is whole (a torn one was cut), so it counts; what may be left is the
 * file side of its removals (unlink, key release) and, in logs of format 1,
 * temp files to rename into place. Returns how many writes it finished.
 */
export function finishDeadCommit(parts: RecoveryParts, deadOwner: string): number {
  const last = parts.log.lastCommit;
  if (!last || last.owner !== deadOwner) return 0;
  let finished = 0;
  for (const { record, temp } of last.records) {
    if (isRemoval(record)) {
      if (parts.docs.remove(record.id)) finished++;
      if (record.key !== null) parts.keys.release(record.key, record.id);
    } else if (temp !== undefined && parts.docs.hasTemp(temp)) {
      parts.docs.install(temp, record.id);
      finished++;
    }
  }
  if (finished > 0) {
    parts.logger.warn(
      `fs: finished ${finished} write(s) of a commit left half done by dead process ${deadOwner.split('.')[0]} in ${parts.root}`,
    );
  }
  return finished;
}

/**
 * Removes temp and owner files of dead processes from the root's folders.
 * A live process's files are never touched. Returns how many it removed.
 */
export function sweepDeadFiles(folders: readonly string[]): number {
  let removed = 0;
  for (const dir of folders) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const owner = ownerOfName(name);
      if (owner && !isProcessAlive(owner)) {
        unlinkQuietly(join(dir, name));
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Rebuilds the index when the log cannot be followed: what the log gave up
 * to the damage (already in `index`; nothing when the log is gone) is
 * merged with the files in `jobs/` (a file wins only with a newer version:
 * after a power loss in relaxed durability, a write-back may have outlived
 * its log line), the key files are repaired to match, and a fresh log
 * generation is written (carrying the documents still in the log). Used
 * when there is no index log, when it is damaged, and after the machine
 * restarted while the store was open.
 */
export async function rebuildIndex(parts: RecoveryParts, reason: string): Promise<void> {
  const { docs, keys, index, logger } = parts;
  const started = Date.now();
  let files = 0;
  for (const file of docs.listDocuments()) {
    const result = docs.readFile(file);
    if (result === null) continue;
    if (isCorrupt(result)) {
      const moved = docs.quarantine(result.path);
      logger.error(`fs: corrupt job document ${result.path} (${result.reason}); moved to ${moved}`);
      continue;
    }
    files++;
    const known = index.entries.get(result.id);
    if (!known || known.version < result.version) index.apply(entryOf(result));
  }
  const owners = new Map<string, string>();
  for (const entry of index.entries.values()) {
    if (entry.key === null) continue;
    const other = owners.get(entry.key);
    if (other !== undefined && other < entry.id) {
      logger.error(`fs: jobs ${other} and ${entry.id} share idempotency key ${JSON.stringify(entry.key)}`);
      continue;
    }
    owners.set(entry.key, entry.id);
  }
  for (const file of keys.list()) {
    const entry = keys.readFile(file);
    if (!entry || owners.get(entry.key) !== entry.id || keys.fileOf(entry.key) !== file)
      keys.removeFile(file);
  }
  for (const [key, id] of owners) {
    const current = keys.read(key);
    if (current === null) keys.create(key, id);
    else if (current === 'unreadable' || current.id !== id) keys.replace(key, id);
  }
  await parts.log.writeGeneration(index.entries.values(), parts.durable);
  if (index.entries.size === 0 && reason === FRESH_ROOT) return;
  logger.warn(
    `fs: rebuilt the index of ${parts.root} from ${files} document file(s) and the log's ${index.inLog.size} document(s) in ${Date.now() - started} ms (${reason})`,
  );
}

/** Owners of store instances registered in `locksDir` whose process is gone. */
export function deadOwners(locksDir: string): ProcessIdentity[] {
  const owners: ProcessIdentity[] = [];
  for (const name of readdirSync(locksDir)) {
    const owner = name.endsWith('.owner') ? ownerOfName(name) : null;
    if (owner && !isProcessAlive(owner)) owners.push(owner);
  }
  return owners;
}

/** The folders that hold owner-named files. */
export function ownedFolders(root: string): string[] {
  return ['jobs', 'keys', 'index', 'locks'].map((name) => join(root, name)).concat(root);
}
