import { closeSync, openSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '@jobservice/core';
import { errorCode, readTextIfExists, unlinkIfExists, unlinkQuietly, writeAll } from '../io/durable-io.js';
import { encodeSegment } from '../naming/encode-segment.js';
import { tempName } from '../naming/owned-names.js';

/** What a key file says. */
export type KeyRead =
  /** The key belongs to this job id. */
  | { id: string }
  /** No file for this key. */
  | null
  /** A file that is empty or torn (its writer died): stale, may be replaced. */
  | 'unreadable';

/**
 * The `keys/` folder: one small file per idempotency key, created
 * exclusively (`O_EXCL`), holding `{ key, id }`. The original key is stored
 * and compared, so even hashed names (keys past ~100 bytes) cannot map two
 * keys to one job.
 */
export class KeyFiles {
  constructor(
    /** The `keys/` folder. */
    readonly dir: string,
    private readonly provider: string,
  ) {}

  /** The file name for a key. */
  fileOf(key: string): string {
    return encodeSegment(key, 'key');
  }

  /** Reads a key's file. */
  read(key: string): KeyRead {
    const text = readTextIfExists(join(this.dir, this.fileOf(key)));
    if (text === null) return null;
    let parsed: { key?: unknown; id?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return 'unreadable';
    }
    if (typeof parsed?.id !== 'string') return 'unreadable';
    if (parsed.key !== key) {
      throw new ProviderError(
        this.provider,
        `idempotency keys ${JSON.stringify(key)} and ${JSON.stringify(parsed.key)} hash to one file name; use a shorter key`,
      );
    }
    return { id: parsed.id };
  }

  /** Creates a key's file exclusively; false when one exists. */
  create(key: string, id: string): boolean {
    let fd: number;
    try {
      fd = openSync(join(this.dir, this.fileOf(key)), 'wx');
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    try {
      writeAll(fd, Buffer.from(JSON.stringify({ key, id })));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /** Replaces a stale key file (atomically, by rename). */
  replace(key: string, id: string): void {
    const tmp = join(this.dir, tempName());
    const fd = openSync(tmp, 'wx');
    try {
      writeAll(fd, Buffer.from(JSON.stringify({ key, id })));
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, join(this.dir, this.fileOf(key)));
    } catch (error) {
      unlinkQuietly(tmp);
      throw error;
    }
  }

  /** Removes a key's file when it names `id` (or is unreadable). */
  release(key: string, id: string): void {
    const current = this.read(key);
    if (current === null) return;
    if (current === 'unreadable' || current.id === id) unlinkIfExists(join(this.dir, this.fileOf(key)));
  }

  /** Every key file name. */
  list(): string[] {
    return readdirSync(this.dir).filter((name) => !name.startsWith('~'));
  }

  /** Reads a key file by name (for rebuilds): its key and id, or `null`. */
  readFile(file: string): { key: string; id: string } | null {
    const text = readTextIfExists(join(this.dir, file));
    if (text === null) return null;
    try {
      const parsed = JSON.parse(text) as { key?: unknown; id?: unknown };
      if (typeof parsed.key === 'string' && typeof parsed.id === 'string') {
        return { key: parsed.key, id: parsed.id };
      }
    } catch {
      // fall through
    }
    return null;
  }

  /** Removes a key file by name. */
  removeFile(file: string): void {
    unlinkIfExists(join(this.dir, file));
  }
}
