import { closeSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncFd, unlinkQuietly, writeAll } from '../io/durable-io.js';
import { tempName } from '../naming/owned-names.js';
import type { IndexEntry, LoggedRecord } from './index-entry.js';
import { encodeCommit, encodeMarker, NEWLINE, parseLine } from './log-format.js';

/** An index log generation's file name: `log.<n>`. */
export const GENERATION = /^log\.(\d+)$/;
const SNAPSHOT_CHUNK = 500;

/** A snapshot written to a temp file, not yet in place. */
export interface WrittenSnapshot {
  path: string;
  bytes: number;
  /** Each entry whose body the snapshot carries, with the body's place in it. */
  moved: Array<[IndexEntry, number, number]>;
}

/**
 * Writes a snapshot of `entries` to a new temp file in `dir`: commits of up
 * to 500 records by owner `snapshot`, with the body of every entry whose
 * document still lies in the log (read by `bodyOf`). Fsynced when `durable`.
 */
export async function writeSnapshot(
  dir: string,
  entries: Iterable<IndexEntry>,
  bodyOf: (entry: IndexEntry) => string,
  durable: boolean,
): Promise<WrittenSnapshot> {
  const path = join(dir, tempName());
  const fd = openSync(path, 'wx');
  const moved: WrittenSnapshot['moved'] = [];
  let bytes = 0;
  try {
    let chunk: LoggedRecord[] = [];
    const flush = () => {
      if (chunk.length === 0) return;
      const { buf, bodies } = encodeCommit({ owner: 'snapshot', records: chunk });
      writeAll(fd, buf);
      let b = 0;
      for (const logged of chunk) {
        if (logged.body === undefined) continue;
        const span = bodies[b++] as { at: number; len: number };
        moved.push([logged.record as IndexEntry, bytes + span.at, span.len]);
      }
      bytes += buf.length;
      chunk = [];
    };
    for (const entry of entries) {
      const logged: LoggedRecord = { record: entry };
      if (entry.at !== undefined) logged.body = bodyOf(entry);
      chunk.push(logged);
      if (chunk.length >= SNAPSHOT_CHUNK) flush();
    }
    flush();
    if (durable) await fsyncFd(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(path);
    throw error;
  }
  closeSync(fd);
  return { path, bytes, moved };
}

/**
 * Finishes a compaction whose writer died after writing the new generation
 * but before pointing the older ones at it (so that processes still
 * reading an older one follow). Runs under the store lock, at takeover.
 */
export function repairGenerations(dir: string): void {
  const gens = readdirSync(dir)
    .map((name) => GENERATION.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const newest = gens[gens.length - 1];
  if (newest === undefined || gens.length < 2) return;
  const newestFd = openSync(join(dir, `log.${newest}`), 'r');
  const at = fstatSync(newestFd).size;
  closeSync(newestFd);
  for (const gen of gens.slice(0, -1)) {
    const path = join(dir, `log.${gen}`);
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      const tailLength = Math.min(size, 64 * 1024);
      const tail = Buffer.allocUnsafe(tailLength);
      readSync(fd, tail, 0, tailLength, size - tailLength);
      const end = tail.lastIndexOf(NEWLINE) + 1;
      const complete = size - tailLength + end;
      if (complete < size) ftruncateSync(fd, complete); // torn last line
      const lines = tail.toString('utf8', 0, end).trimEnd().split('\n');
      const last = parseLine(lines[lines.length - 1] ?? '');
      if (!last || !('next' in last)) {
        const marker = encodeMarker({ next: newest, at });
        let written = 0;
        while (written < marker.length) {
          written += writeSync(fd, marker, written, marker.length - written, complete + written);
        }
      }
    } finally {
      closeSync(fd);
    }
    unlinkQuietly(path);
  }
}
