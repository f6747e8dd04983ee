import { type Bell, InvalidInputError } from '@jobservice/core';
import { MAX_PRIORITY } from './topology.js';

/** The content type of a bell message. */
export const BELL_CONTENT_TYPE = 'application/vnd.jobservice.bell+json';

/** The broker priority that bell priority 0 maps to: the middle of 0–{@link MAX_PRIORITY}. */
const MIDDLE = Math.floor(MAX_PRIORITY / 2);

/**
 * Maps a bell's priority (any integer, higher first) onto the broker's
 * 0–10: priority 0 is 5, -5 and below are 0, 5 and above are 10. Bells
 * beyond ±5 keep their order only against bells inside it (a hint: the
 * store orders the claim).
 */
export function brokerPriority(priority: number | undefined): number {
  const p = typeof priority === 'number' && Number.isFinite(priority) ? Math.round(priority) : 0;
  return Math.min(MAX_PRIORITY, Math.max(0, p + MIDDLE));
}

/** Rejects what is not a bell, naming the field. */
export function checkBells(bells: readonly Bell[]): void {
  if (!Array.isArray(bells))
    throw new InvalidInputError('bells', 'must be an array of { id, name?, priority?, notBefore? }');
  bells.forEach((bell, i) => {
    if (bell === null || typeof bell !== 'object' || typeof bell.id !== 'string' || bell.id === '') {
      throw new InvalidInputError(`bells[${i}].id`, 'must be a non-empty string job id');
    }
    if (bell.name !== undefined && typeof bell.name !== 'string') {
      throw new InvalidInputError(`bells[${i}].name`, 'must be a string callback name when given');
    }
    if (bell.notBefore !== undefined && !Number.isFinite(bell.notBefore)) {
      throw new InvalidInputError(`bells[${i}].notBefore`, 'must be epoch milliseconds when given');
    }
    if (bell.priority !== undefined && !Number.isFinite(bell.priority)) {
      throw new InvalidInputError(`bells[${i}].priority`, 'must be a finite number when given');
    }
  });
}

/** The message body of a bell: its own JSON, nothing else. */
export function encodeBell(bell: Bell): Buffer {
  const body: Bell = { id: bell.id };
  if (bell.name !== undefined) body.name = bell.name;
  if (bell.priority !== undefined) body.priority = bell.priority;
  if (bell.notBefore !== undefined) body.notBefore = bell.notBefore;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** Reads a bell back from a message body; `null` when it is not one (dropped with a warning by the caller). */
export function decodeBell(content: Buffer): Bell | null {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id === '') return null;
  const bell: Bell = { id: v.id };
  if (typeof v.name === 'string') bell.name = v.name;
  if (typeof v.priority === 'number' && Number.isFinite(v.priority)) bell.priority = v.priority;
  if (typeof v.notBefore === 'number' && Number.isFinite(v.notBefore)) bell.notBefore = v.notBefore;
  return bell;
}

/**
 * The bucket a bell with `remainingMs` to wait goes to: the largest bucket
 * not longer than that (it is re-delayed for the rest on arrival), or the
 * smallest when even that is longer (at most one smallest bucket late).
 * Never early.
 */
export function pickBucket(remainingMs: number, buckets: readonly number[]): number {
  let chosen = buckets[0] as number;
  for (const b of buckets) if (b <= remainingMs) chosen = b;
  return chosen;
}
