import type { StoreEngine } from './store-engine.js';

/**
 * Renames per lock hold. A rename waits for the file system's journal, and
 * with other processes fsyncing that can take milliseconds each: in small
 * holds, callers queued behind the write-back get their turns in between.
 */
const RENAMES_PER_HOLD = 16;

/** What one write-back turn did. */
interface WriteBackTurn {
  /** Documents it found in the log and wrote to temp files. */
  picked: number;
  /** Of those, the ones installed in `jobs/` (the rest changed meanwhile). */
  written: number;
}

/**
 * Writes up to `limit` documents that lie in the index log back to their
 * files in `jobs/`. The slow part runs without the store lock: with full
 * durability the log is synced first (a file never holds a change the log
 * could still lose), then each document goes to a temp file, fsynced. Under
 * the lock, in holds of {@link RENAMES_PER_HOLD}, each temp file whose job
 * is still at that version (and still in the log) is renamed into place,
 * the others dropped. Then, with full
 * durability, `jobs/` is fsynced (no lock), and a commit line
 * `w: [[id, version], …]` (one more short hold; with each rename hold when
 * relaxed) tells every process that these files now hold those versions. A crash
 * before that line leaves the documents in the log, where readers keep
 * finding them. Returns how many it wrote back.
 */
export async function writeBack(engine: StoreEngine, limit: number): Promise<number> {
  return (await writeBackTurn(engine, limit)).written;
}

async function writeBackTurn(engine: StoreEngine, limit: number): Promise<WriteBackTurn> {
  await engine.refresh();
  const items: Array<{ id: string; version: number; text: string }> = [];
  for (const id of engine.index.inLog) {
    if (items.length >= limit) break;
    const entry = engine.index.entries.get(id);
    if (entry?.at === undefined) continue;
    items.push({ id, version: entry.version, text: engine.log.readBody(entry.at, entry.len ?? 0) });
  }
  if (items.length === 0) return { picked: 0, written: 0 };
  if (engine.durable) await engine.log.sync();
  const temps = await engine.docs.writeTemps(items);
  const written: Array<[string, number]> = [];
  const announce = (pairs: Array<[string, number]>) => {
    if (pairs.length > 0) engine.appendLocked({ owner: engine.ownerTag, records: [], written: pairs });
  };
  try {
    for (let from = 0; from < items.length; from += RENAMES_PER_HOLD) {
      await engine.locked(() => {
        const installed: Array<[string, number]> = [];
        for (let i = from; i < Math.min(items.length, from + RENAMES_PER_HOLD); i++) {
          const item = items[i] as (typeof items)[number];
          const entry = engine.index.entries.get(item.id);
          if (entry?.version !== item.version || entry.at === undefined) continue; // changed or gone meanwhile
          engine.docs.install(temps[i] as string, item.id);
          installed.push([item.id, item.version]);
        }
        written.push(...installed);
        if (!engine.durable) announce(installed);
      });
    }
  } finally {
    engine.docs.discard(temps);
  }
  if (engine.durable && written.length > 0) {
    await engine.jobsSync.sync();
    await engine.locked(() => announce(written));
  }
  return { picked: items.length, written: written.length };
}

/**
 * Writes every document that lies in the index log back to `jobs/`, in
 * turns of `batch`, until a turn finds none (documents changed during a
 * turn are taken by the next one).
 */
export async function writeBackAll(engine: StoreEngine, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const turn = await writeBackTurn(engine, batch);
    total += turn.written;
    if (turn.picked === 0) return total;
  }
}
