import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { errorCode, fsyncDirectory, fsyncFd, unlinkQuietly, writeAll } from '../io/durable-io.js';
import { tempName } from '../naming/owned-names.js';
import { decodeRecord, encodeRecord, type IndexEntry, type LoggedRecord } from './index-entry.js';

const GENERATION = /^log\.(\d+)$/;
const SNAPSHOT_CHUNK = 500;
const FIRST_CHUNK = 1 << 20;
const NEWLINE = 10;

/** What a catch-up found. */
export type CatchUpResult =
  /** Up to date. */
  | 'ok'
  /** The generation this reader followed is gone: reload from the newest. */
  | 'reload'
  /** A complete line that is not a record: the log cannot be trusted. */
  | 'corrupt';

/** The last commit read or written: what a lock takeover checks for a half-done commit. */
export interface LastCommit {
  owner: string;
  records: LoggedRecord[];
}

/**
 * The index log: an append-only file of JSON lines, one per commit (`{"o":
 * owner, "e": [records]}`), written only under the store lock and read by
 * every process to keep its index current. It is the intent log too: a
 * commit's line is appended before its renames, so whoever takes over a
 * dead holder's lock can finish them (see `rollForward`).
 *
 * It grows until a lock holder compacts it into a new generation
 * (`log.<n+1>`: a snapshot of the index), then appends `{"next": n+1,
 * "at": <snapshot bytes>}` to the old one so readers follow without
 * re-reading the snapshot.
 */
export class IndexLog {
  private fd: number | undefined;
  private gen = 0;
  private offset = 0;
  /** The last commit line read or appended. */
  lastCommit: LastCommit | null = null;

  constructor(private readonly dir: string) {}

  /** Bytes of the current generation read so far. */
  get bytes(): number {
    return this.offset;
  }

  /** The newest generation on disk, 0 when none. */
  newestGeneration(): number {
    let newest = 0;
    for (const name of readdirSync(this.dir)) {
      const m = GENERATION.exec(name);
      if (m) newest = Math.max(newest, Number(m[1]));
    }
    return newest;
  }

  /** True once a generation is open. */
  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** The generation followed now. */
  get generation(): number {
    return this.gen;
  }

  /** Opens the newest generation from its start; false when there is none. */
  openNewest(): boolean {
    for (let tries = 0; tries < 5; tries++) {
      const newest = this.newestGeneration();
      if (newest === 0) return false;
      try {
        this.switchTo(newest, 0);
        return true;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    return false;
  }

  /**
   * Reads every complete line written since the last call and hands each
   * commit's records to `apply`. With `locked` (the caller holds the store
   * lock, so nobody is writing) a torn last line, left by a writer killed
   * mid-append, is cut off.
   */
  catchUp(apply: (records: LoggedRecord[]) => void, locked: boolean): CatchUpResult {
    let chunk = FIRST_CHUNK;
    for (;;) {
      if (this.fd === undefined) return 'reload';
      const size = fstatSync(this.fd).size;
      if (size < this.offset) return 'reload';
      if (size === this.offset) return 'ok';
      const want = Math.min(size - this.offset, chunk);
      const buf = Buffer.allocUnsafe(want);
      const base = this.offset;
      const got = readSync(this.fd, buf, 0, want, base);
      let pos = 0;
      for (let nl = buf.indexOf(NEWLINE, 0); nl >= 0 && nl < got; nl = buf.indexOf(NEWLINE, pos)) {
        const line = buf.toString('utf8', pos, nl);
        pos = nl + 1;
        if (line.length === 0) continue;
        const parsed = parseLine(line);
        if (parsed === null) return 'corrupt';
        if ('next' in parsed) {
          try {
            this.switchTo(parsed.next, parsed.at);
          } catch (error) {
            if (errorCode(error) === 'ENOENT') return 'reload';
            throw error;
          }
          pos = -1;
          break;
        }
        apply(parsed.records);
        this.lastCommit = parsed;
        this.offset = base + pos;
      }
      if (pos === -1) continue;
      if (pos === 0) {
        if (this.offset + got < size) {
          chunk *= 2; // one line longer than the chunk
          continue;
        }
        if (locked) ftruncateSync(this.fd, this.offset); // a torn line from a dead writer
        return 'ok';
      }
    }
  }

  /** Appends one commit; the caller holds the store lock and has caught up. */
  append(owner: string, records: LoggedRecord[]): void {
    if (this.fd === undefined) throw new Error('index log is not open');
    const line = `${JSON.stringify({ o: owner, e: records.map(encodeRecord) })}\n`;
    const buf = Buffer.from(line, 'utf8');
    try {
      writeAll(this.fd, buf);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.offset);
      } catch {
        // the next locked catch-up cuts the torn line
      }
      throw error;
    }
    this.offset += buf.length;
    this.lastCommit = { owner, records };
  }

  /**
   * Writes a new generation holding `entries` (under the store lock), points
   * the old one at it and removes older generations.
   */
  async writeGeneration(entries: Iterable<IndexEntry>, durable: boolean): Promise<void> {
    const next = Math.max(this.gen, this.newestGeneration()) + 1;
    const tmp = join(this.dir, tempName());
    const fd = openSync(tmp, 'wx');
    let bytes = 0;
    try {
      let chunk: LoggedRecord[] = [];
      const flush = () => {
        if (chunk.length === 0) return;
        const buf = Buffer.from(`${JSON.stringify({ o: 'snapshot', e: chunk.map(encodeRecord) })}\n`);
        writeAll(fd, buf);
        bytes += buf.length;
        chunk = [];
      };
      for (const entry of entries) {
        chunk.push({ record: entry });
        if (chunk.length >= SNAPSHOT_CHUNK) flush();
      }
      flush();
      if (durable) await fsyncFd(fd);
    } catch (error) {
      closeSync(fd);
      unlinkQuietly(tmp);
      throw error;
    }
    closeSync(fd);
    renameSync(tmp, join(this.dir, `log.${next}`));
    if (this.fd !== undefined) writeAll(this.fd, Buffer.from(`${JSON.stringify({ next, at: bytes })}\n`));
    this.switchTo(next, bytes);
    for (const name of readdirSync(this.dir)) {
      const m = GENERATION.exec(name);
      if (m && Number(m[1]) < next) unlinkQuietly(join(this.dir, name));
    }
    if (durable) await fsyncDirectory(this.dir);
  }

  /**
   * Finishes a compaction whose writer died after writing the new generation
   * but before pointing the older ones at it (so that processes still
   * reading an older one follow). Runs under the store lock, at takeover.
   */
  repairGenerations(): void {
    const gens = readdirSync(this.dir)
      .map((name) => GENERATION.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const newest = gens[gens.length - 1];
    if (newest === undefined || gens.length < 2) return;
    const newestFd = openSync(join(this.dir, `log.${newest}`), 'r');
    const at = fstatSync(newestFd).size;
    closeSync(newestFd);
    for (const gen of gens.slice(0, -1)) {
      const path = join(this.dir, `log.${gen}`);
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
          const marker = Buffer.from(`${JSON.stringify({ next: newest, at })}\n`);
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

  /** Fsyncs the current generation (on close, with full durability). */
  async sync(): Promise<void> {
    if (this.fd !== undefined) await fsyncFd(this.fd);
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = undefined;
  }

  private switchTo(gen: number, offset: number): void {
    const fd = openSync(join(this.dir, `log.${gen}`), 'a+');
    this.close();
    this.fd = fd;
    this.gen = gen;
    this.offset = offset;
    this.lastCommit = null;
  }
}

type ParsedLine = LastCommit | { next: number; at: number };

function parseLine(line: string): ParsedLine | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.next === 'number' && typeof o.at === 'number') return { next: o.next, at: o.at };
  if (typeof o.o !== 'string' || !Array.isArray(o.e)) return null;
  const records: LoggedRecord[] = [];
  for (const item of o.e) {
    const record = decodeRecord(item);
    if (!record) return null;
    records.push(record);
  }
  return { owner: o.o, records };
}
