import type { StoreEngine } from './store-engine.js';

/**
 * Writes up to `limit` documents that lie in the index log back to their
 * files in `jobs/` (one lock hold): with full durability the log is synced
 * first (a file never holds a change the log could still lose), each file
 * is written to a temp file, fsynced and renamed into place, and the folder
 * fsynced; then one commit line `w: [[id, version], …]` tells every process
 * that these files now hold those versions. A crash before that line leaves
 * the documents in the log, where readers keep finding them. Returns how
 * many it wrote back.
 */
export async function writeBack(engine: StoreEngine, limit: number): Promise<number> {
  return engine.locked(async () => {
    const items: Array<{ id: string; version: number; text: string }> = [];
    for (const id of engine.index.inLog) {
      if (items.length >= limit) break;
      const entry = engine.index.entries.get(id);
      if (entry?.at === undefined) continue;
      items.push({ id, version: entry.version, text: engine.log.readBody(entry.at, entry.len ?? 0) });
    }
    if (items.length === 0) return 0;
    if (engine.durable) await engine.log.sync();
    await engine.docs.writeDocuments(items);
    if (engine.durable) await engine.jobsSync.sync();
    engine.appendLocked({
      owner: engine.ownerTag,
      records: [],
      written: items.map((i) => [i.id, i.version]),
    });
    return items.length;
  });
}

/** Writes every document that lies in the index log back to `jobs/`, in turns of `batch`. */
export async function writeBackAll(engine: StoreEngine, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const written = await writeBack(engine, batch);
    total += written;
    if (written === 0) return total;
  }
}
