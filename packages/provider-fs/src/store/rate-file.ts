import { renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RateBook, type RateLimit, rateWindow } from '@jobservice/core';
import { fsyncDirectory, readTextIfExists, unlinkQuietly, writeNewFile } from '../io/durable-io.js';
import { tempName } from '../naming/owned-names.js';

/** What the rate file holds per rate-limit key: its window and newest starts (store times). */
interface StoredRate {
  perMs: number;
  starts: number[];
}

/**
 * The rate-limit windows of a store, shared by its processes: `rates.json`
 * in the root, `{ "<key>": { perMs, starts } }`, read and rewritten (temp
 * file, fsync with full durability, rename) only under the store lock, so
 * every claim sees every earlier claim's starts. Keys whose newest start
 * left its window are dropped on each write, so the file stays small.
 */
export class RateFile {
  private readonly path: string;

  constructor(
    root: string,
    private readonly durable: boolean,
  ) {
    this.path = join(root, 'rates.json');
  }

  /**
   * Under the lock: the stored windows. A file that cannot be parsed reads
   * as empty (the windows restart: at worst one window's extra starts).
   */
  load(): RateSession {
    const book = new RateBook();
    const windows = new Map<string, number>();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(readTextIfExists(this.path) ?? 'null');
    } catch {
      parsed = null;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed as Record<string, StoredRate>)) {
        if (!value || typeof value.perMs !== 'number' || !Array.isArray(value.starts)) continue;
        const starts = value.starts.filter((t) => typeof t === 'number').sort((a, b) => a - b);
        book.set(key, starts);
        windows.set(key, value.perMs);
      }
    }
    return new RateSession(book, windows);
  }

  /** Under the lock: writes the session's windows (when it recorded starts), atomically. */
  async save(session: RateSession, now: number): Promise<void> {
    if (!session.changed) return;
    const out: Record<string, StoredRate> = {};
    for (const [key, starts] of session.book.entries()) {
      const perMs = session.windows.get(key) ?? 0;
      if (rateWindow.live(starts, now, perMs).length === 0) continue;
      out[key] = { perMs, starts };
    }
    const temp = join(dirname(this.path), tempName());
    try {
      await writeNewFile(temp, `${JSON.stringify(out)}\n`, this.durable);
      renameSync(temp, this.path);
    } catch (error) {
      unlinkQuietly(temp);
      throw error;
    }
    if (this.durable) await fsyncDirectory(dirname(this.path));
  }
}

/** The rate windows one claim reads and adds to (core's `RateBook`, plus each key's window). */
export class RateSession {
  /** True once a start was recorded. */
  changed = false;

  constructor(
    /** The newest starts per key. */
    readonly book: RateBook,
    /** Each key's window (ms), to drop keys whose starts all left it. */
    readonly windows: Map<string, number>,
  ) {}

  /** Records a start at `now` under `limit`. */
  record(limit: RateLimit, now: number): void {
    this.book.record(limit, now);
    this.windows.set(limit.key, Math.max(limit.perMs, this.windows.get(limit.key) ?? 0));
    this.changed = true;
  }
}
