import { keyGate, nameGate } from '@jobservice/core';
import type { IndexEntry } from './index-entry.js';

/**
 * Running jobs (reserved included) per concurrency key and per callback
 * name, kept exact by the index on every entry change it applies: this
 * process's commits and the ones of other processes it catches up on,
 * removals and lease recoveries alike. Under the store lock (caught up)
 * the counts are those of the whole store.
 */
export class RunningCounts {
  private readonly byKey = new Map<string, number>();
  private readonly byName = new Map<string, number>();

  /** Running jobs with concurrency key `key`. */
  withKey(key: string): number {
    return this.byKey.get(key) ?? 0;
  }

  /** Running jobs of callback name `name`. */
  withName(name: string): number {
    return this.byName.get(name) ?? 0;
  }

  /**
   * Follows one change of a job's entry (`before` → `after`; either absent
   * for a new job or a removal) and returns the gates a slot came free in
   * (`name:<n>`, and `key:<k>` for a keyed job) when it stopped running.
   */
  track(before: IndexEntry | undefined, after: IndexEntry | undefined): string[] {
    const wasRunning = before?.status === 'running';
    const isRunning = after?.status === 'running';
    if (wasRunning === isRunning) return NONE;
    const entry = (isRunning ? after : before) as IndexEntry;
    const by = isRunning ? 1 : -1;
    bump(this.byName, entry.name, by);
    if (entry.concurrencyKey !== undefined) bump(this.byKey, entry.concurrencyKey, by);
    if (isRunning) return NONE;
    return entry.concurrencyKey === undefined
      ? [nameGate(entry.name)]
      : [nameGate(entry.name), keyGate(entry.concurrencyKey)];
  }

  /** Forgets every count (the index is reloaded). */
  clear(): void {
    this.byKey.clear();
    this.byName.clear();
  }
}

const NONE: string[] = [];

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
