import { InvalidInputError } from '../errors.js';
import type { Bell } from './queue-provider.js';

/**
 * The id of a bell that names no job: "something may be ready, claim". Sent
 * after a listening connection was re-established (broadcasts may have been
 * missed) and when one enqueue rang more bells than fit in one payload.
 * Delivered to every matching subscriber.
 */
export const RESYNC_BELL_ID = '*';

interface WireBell {
  i: string;
  n?: string;
  t?: number;
  p?: number;
}

/** Checks the bells of one `enqueue` call (naming the field); for queue providers. */
export function checkBells(bells: readonly Bell[]): void {
  if (!Array.isArray(bells))
    throw new InvalidInputError('bells', 'must be an array of { id, name?, notBefore?, priority? }');
  bells.forEach((bell, i) => {
    if (bell === null || typeof bell !== 'object' || typeof bell.id !== 'string') {
      throw new InvalidInputError(`bells[${i}].id`, 'must be a string');
    }
    if (bell.name !== undefined && typeof bell.name !== 'string') {
      throw new InvalidInputError(`bells[${i}].name`, 'must be a string');
    }
    for (const field of ['notBefore', 'priority'] as const) {
      const value = bell[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new InvalidInputError(`bells[${i}].${field}`, 'must be a finite number');
      }
    }
  });
}

/**
 * Encodes one enqueue's bells as one broadcast payload (PostgreSQL NOTIFY,
 * Redis pub/sub): every bell when they fit in `maxBytes`; else one resync
 * bell per callback name (with the earliest `notBefore`); else a single
 * resync bell. {@link decodeBells} reads it back.
 */
export function encodeBells(bells: readonly Bell[], maxBytes = Number.POSITIVE_INFINITY): string {
  const wire = bells.map((bell) => {
    const w: WireBell = { i: bell.id };
    if (bell.name !== undefined) w.n = bell.name;
    if (bell.notBefore !== undefined) w.t = bell.notBefore;
    if (bell.priority !== undefined && bell.priority !== 0) w.p = bell.priority;
    return w;
  });
  const full = JSON.stringify({ b: wire });
  if (Buffer.byteLength(full) <= maxBytes) return full;
  const byName = new Map<string | null, number | null>();
  for (const bell of bells) {
    const name = bell.name ?? null;
    const at = bell.notBefore ?? null;
    const known = byName.get(name);
    byName.set(name, known === undefined ? at : known === null || at === null ? null : Math.min(known, at));
  }
  const grouped = JSON.stringify({ o: [...byName] });
  if (Buffer.byteLength(grouped) <= maxBytes) return grouped;
  return JSON.stringify({ o: [[null, null]] });
}

/** Decodes a payload into bells; `null` when it is not one of ours. */
export function decodeBells(payload: string): Bell[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  const { b, o } = parsed as { b?: unknown; o?: unknown };
  if (Array.isArray(b)) {
    return b
      .filter((w): w is WireBell => typeof (w as WireBell)?.i === 'string')
      .map((w) => {
        const bell: Bell = { id: w.i };
        if (typeof w.n === 'string') bell.name = w.n;
        if (typeof w.t === 'number') bell.notBefore = w.t;
        if (typeof w.p === 'number') bell.priority = w.p;
        return bell;
      });
  }
  if (Array.isArray(o)) {
    return o
      .filter((entry): entry is [string | null, number | null] => Array.isArray(entry))
      .map(([name, at]) => {
        const bell: Bell = { id: RESYNC_BELL_ID };
        if (typeof name === 'string') bell.name = name;
        if (typeof at === 'number') bell.notBefore = at;
        return bell;
      });
  }
  return null;
}
