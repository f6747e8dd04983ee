import {
  closeSync,
  fdatasync,
  fsync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';

const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);

/**
 * `full`: every write is fsynced (file, then its directory after the rename)
 * before the call that made it resolves. `relaxed`: no fsync; survives a
 * process crash (`kill -9`), not a power loss or kernel crash.
 */
export type Durability = 'full' | 'relaxed';

/** The error code of a Node.js system error, or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Writes all of `data` at the descriptor's position. */
export function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

/**
 * Creates `path` exclusively (it must not exist), writes `text` and, when
 * `durable`, fsyncs it. The small synchronous calls are cheaper than the
 * thread-pool round trips of `fs.promises`; only the fsync, which may wait
 * for the disk, runs on the pool so that many can be in flight at once.
 * On failure the file is removed.
 */
export async function writeNewFile(path: string, text: string, durable: boolean): Promise<void> {
  const fd = openSync(path, 'wx');
  try {
    writeAll(fd, Buffer.from(text, 'utf8'));
    if (durable) await fsyncAsync(fd);
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(path);
    throw error;
  }
  closeSync(fd);
}

/** The file's text, or `null` when it does not exist. */
export function readTextIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Removes a file; a missing file is fine. Returns whether it existed. */
export function unlinkIfExists(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Removes a file, ignoring every error (cleanup paths). */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // best effort
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // best effort
  }
}

/** Fsyncs an open file descriptor on the thread pool. */
export function fsyncFd(fd: number): Promise<void> {
  return fsyncAsync(fd);
}

/** Fdatasyncs an open file descriptor on the thread pool (data and size; for appended logs). */
export function fdatasyncFd(fd: number): Promise<void> {
  return fdatasyncAsync(fd);
}

/** Reads `length` bytes at `position` (fewer only at the end of the file); returns how many. */
export function readAt(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Fsyncs a directory so the renames and unlinks in it are durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (unsupportedDirSync(error)) return;
    throw error;
  }
  try {
    await fsyncAsync(fd);
  } catch (error) {
    if (!unsupportedDirSync(error)) throw error;
  } finally {
    closeQuietly(fd);
  }
}

/** Platforms (Windows, some network mounts) that cannot fsync a directory. */
function unsupportedDirSync(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EISDIR' || code === 'EINVAL' || code === 'ENOTSUP' || code === 'EPERM';
}

/**
 * Group commit: a caller of {@link sync} waits for a run of `flush` that
 * started after its call, and callers arriving while one runs share the
 * next one (one fsync for many commits).
 */
export class GroupSync {
  private inFlight: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  /** Resolves once everything written before this call is durable. */
  sync(): Promise<void> {
    if (this.waiting) return this.waiting;
    if (!this.inFlight) return this.start();
    this.waiting = this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.waiting = undefined;
        return this.start();
      });
    return this.waiting;
  }

  private start(): Promise<void> {
    const run: Promise<void> = this.flush().finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }
}

/** Group commit for one directory's fsync (renames, creations and unlinks in it). */
export class DirectorySync extends GroupSync {
  constructor(dir: string) {
    super(() => fsyncDirectory(dir));
  }
}
