import { closeSync, constants, fstatSync, ftruncateSync, openSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  errorCode,
  fdatasyncFd,
  fsyncDirectory,
  GroupSync,
  readAt,
  unlinkQuietly,
  writeAll,
} from '../io/durable-io.js';
import type { IndexEntry, LoggedRecord } from './index-entry.js';
import {
  BODY_MARK,
  type BodySpan,
  encodeCommit,
  encodeMarker,
  type LogCommit,
  NEWLINE,
  parseLine,
} from './log-format.js';
import { GENERATION, writeSnapshot } from './log-generations.js';

const FIRST_CHUNK = 1 << 20;

/** What a catch-up found. */
export type CatchUpResult =
  /** Up to date. */
  | 'ok'
  /** The generation this reader followed is gone: reload from the newest. */
  | 'reload'
  /** A complete line that is not a record: the log cannot be trusted. */
  | 'corrupt';

/**
 * The index log, the store's redo log: an append-only file written only
 * under the store lock and read by every process to keep its index current.
 * A commit is one `write` of a body line per document (`D` + JSON) and one
 * commit line (see `encodeCommit`); it counts once its commit line is whole.
 * With full durability a commit is acknowledged after an fdatasync of the
 * log ({@link sync}, shared by concurrent commits). Documents stay in the
 * log until written back to `jobs/` (see `checkpoint`); index entries point
 * at their bodies.
 *
 * It grows until a lock holder compacts it into a new generation
 * (`log.<n+1>`: a snapshot of the index, carrying the bodies not yet
 * written back), then appends `{"next": n+1, "at": <snapshot bytes>}` to
 * the old one; readers follow it and read the snapshot for the new places
 * of the bodies.
 */
export class IndexLog {
  private fd: number | undefined;
  private gen = 0;
  private offset = 0;
  private syncing = 0;
  private retired: number[] = [];
  private readonly group = new GroupSync(() => this.syncNow());
  /** The last commit read or appended. */
  lastCommit: LogCommit | null = null;

  constructor(private readonly dir: string) {}

  /** Bytes of the current generation read so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Where this reader is: generation and offset (changes with every commit it reads or appends). */
  get position(): string {
    return `${this.gen}:${this.offset}`;
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
   * Reads every complete commit written since the last call and hands it to
   * `apply`, its bodies' places set on its entries. With `locked` (the
   * caller holds the store lock, so nobody is writing) a torn last commit,
   * left by a writer killed mid-append, is cut off.
   */
  catchUp(apply: (commit: LogCommit) => void, locked: boolean): CatchUpResult {
    let chunk = FIRST_CHUNK;
    for (;;) {
      if (this.fd === undefined) return 'reload';
      const size = fstatSync(this.fd).size;
      if (size < this.offset) return 'reload';
      if (size === this.offset) return 'ok';
      const base = this.offset;
      const want = Math.min(size - base, chunk);
      const buf = Buffer.allocUnsafe(want);
      const got = readAt(this.fd, buf, want, base);
      const step = this.applyLines(buf, got, base, apply);
      if (step === 'switched') chunk = FIRST_CHUNK;
      else if (step !== 'ok') return step;
      else if (this.offset > base) continue;
      else if (base + got < size)
        chunk *= 2; // one commit longer than the chunk
      else {
        if (locked) ftruncateSync(this.fd, this.offset); // a torn commit of a dead writer
        return 'ok';
      }
    }
  }

  /**
   * Appends one commit (the caller holds the store lock and has caught up)
   * and sets the places of its bodies on its entries.
   */
  append(commit: LogCommit): void {
    if (this.fd === undefined) throw new Error('index log is not open');
    const { buf, bodies } = encodeCommit(commit);
    try {
      writeAll(this.fd, buf);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.offset);
      } catch {
        // the next locked catch-up cuts the torn commit
      }
      throw error;
    }
    let b = 0;
    for (const logged of commit.records) {
      if (logged.body === undefined) continue;
      const span = bodies[b++] as BodySpan;
      place(logged, this.offset + span.at, span.len);
    }
    this.offset += buf.length;
    this.lastCommit = commit;
  }

  /** The document text at a body's place in the current generation. */
  readBody(at: number, len: number): string {
    if (this.fd === undefined) throw new Error('index log is not open');
    const buf = Buffer.allocUnsafe(len);
    const got = readAt(this.fd, buf, len, at);
    return buf.toString('utf8', 0, got);
  }

  /**
   * Writes a new generation holding `entries` (under the store lock, caught
   * up), with the bodies still in the log, points the old one at it, moves
   * the entries' bodies to their new places and removes older generations.
   */
  async writeGeneration(entries: Iterable<IndexEntry>, durable: boolean): Promise<void> {
    const next = Math.max(this.gen, this.newestGeneration()) + 1;
    const written = await writeSnapshot(
      this.dir,
      entries,
      (e) => this.readBody(e.at ?? 0, e.len ?? 0),
      durable,
    );
    renameSync(written.path, join(this.dir, `log.${next}`));
    if (this.fd !== undefined) writeAll(this.fd, encodeMarker({ next, at: written.bytes }));
    this.switchTo(next, written.bytes);
    for (const [entry, at, len] of written.moved) {
      entry.at = at;
      entry.len = len;
    }
    for (const name of readdirSync(this.dir)) {
      const m = GENERATION.exec(name);
      if (m && Number(m[1]) < next) unlinkQuietly(join(this.dir, name));
    }
    if (durable) await fsyncDirectory(this.dir);
  }

  /** Resolves once every commit appended before this call is on disk (group commit). */
  sync(): Promise<void> {
    return this.group.sync();
  }

  /** Closes the file (once no fdatasync uses it). */
  close(): void {
    if (this.fd !== undefined) this.retire(this.fd);
    this.fd = undefined;
  }

  private applyLines(
    buf: Buffer,
    got: number,
    base: number,
    apply: (commit: LogCommit) => void,
  ): 'ok' | 'switched' | CatchUpResult {
    let pos = 0;
    const pending: BodySpan[] = [];
    for (let nl = buf.indexOf(NEWLINE, 0); nl >= 0 && nl < got; nl = buf.indexOf(NEWLINE, pos)) {
      const start = pos;
      pos = nl + 1;
      if (buf[start] === BODY_MARK) {
        pending.push({ at: base + start + 1, len: nl - start - 1 });
        continue;
      }
      if (nl === start) continue;
      const parsed = parseLine(buf.toString('utf8', start, nl));
      if (parsed === null) return 'corrupt';
      if ('next' in parsed) {
        // Bodies before a marker belong to a commit cut short: dropped with it.
        try {
          this.switchTo(parsed.next, 0); // read the snapshot: it says where the bodies are now
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return 'reload';
          throw error;
        }
        return 'switched';
      }
      let b = 0;
      for (const logged of parsed.records) {
        if (!logged.hasBody) continue;
        const span = pending[b++];
        if (!span) return 'corrupt';
        place(logged, span.at, span.len);
      }
      if (b !== pending.length) return 'corrupt';
      pending.length = 0;
      apply(parsed);
      this.lastCommit = parsed;
      this.offset = base + pos;
    }
    return 'ok';
  }

  private async syncNow(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.syncing++;
    try {
      await fdatasyncFd(fd);
    } finally {
      this.syncing--;
      if (this.syncing === 0) for (const old of this.retired.splice(0)) closeQuietly(old);
    }
  }

  private retire(fd: number): void {
    if (this.syncing > 0) this.retired.push(fd);
    else closeQuietly(fd);
  }

  private switchTo(gen: number, offset: number): void {
    // Read and append, never create: a generation removed meanwhile must fail (ENOENT), not reappear empty.
    const fd = openSync(join(this.dir, `log.${gen}`), constants.O_RDWR | constants.O_APPEND);
    this.close();
    this.fd = fd;
    this.gen = gen;
    this.offset = offset;
    this.lastCommit = null;
  }
}

/** Sets where a logged entry's body lies. */
function place(logged: LoggedRecord, at: number, len: number): void {
  const entry = logged.record as IndexEntry;
  entry.at = at;
  entry.len = len;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
