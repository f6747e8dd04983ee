import { createHash } from 'node:crypto';
import { type Bell, InvalidInputError } from '@jobservice/core';

/** Bells per file at most: a batch is split so that several consumers share it. */
export const BELLS_PER_FILE = 32;
/** The tag of bells without a name (every subscriber takes them). */
export const ANY_NAME = 'any';
const SUFFIX = '.bell';
const NB_DIGITS = 15;

/** What a bell file's name says, enough to order and route it without reading it. */
export interface BellRef {
  /** The file name in `ready/`. */
  file: string;
  /** Deliver no earlier than this (epoch ms); 0 for now. */
  notBefore: number;
  priority: number;
  /** `any`, or `n` + a hash of the bells' name. */
  tag: string;
}

/** The routing tag of a bell name (hashed: names never reach the file system as text). */
export function tagOf(name: string | undefined): string {
  if (name === undefined) return ANY_NAME;
  return `n${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16)}`;
}

/**
 * A bell file's name: `<notBefore, 15 digits>-<p|m><priority>-<tag>-<unique>.bell`.
 * Only digits, lowercase hex, `p`, `m`, `n`, `.` and `-`: safe on every file system.
 */
export function bellFileName(notBefore: number, priority: number, tag: string, unique: string): string {
  const nb = String(Math.max(0, Math.floor(notBefore))).padStart(NB_DIGITS, '0');
  const prio = priority < 0 ? `m${-priority}` : `p${priority}`;
  return `${nb}-${prio}-${tag}-${unique}${SUFFIX}`;
}

/** Reads a bell file's name; `null` for any other file (temp files, strays). */
export function parseBellFileName(file: string): BellRef | null {
  if (!file.endsWith(SUFFIX) || file.startsWith('~')) return null;
  const parts = file.slice(0, -SUFFIX.length).split('-');
  if (parts.length !== 4) return null;
  const [nb, prio, tag] = parts as [string, string, string, string];
  if (!/^\d+$/.test(nb) || !/^[pm]\d+$/.test(prio) || !/^(any|n[0-9a-f]{16})$/.test(tag)) return null;
  const magnitude = Number(prio.slice(1));
  return { file, notBefore: Number(nb), priority: prio[0] === 'm' ? -magnitude : magnitude, tag };
}

/** Higher priority first, then earlier `notBefore`, then file name (enqueue order within a process). */
export function compareBells(a: BellRef, b: BellRef): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.notBefore !== b.notBefore) return a.notBefore - b.notBefore;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** Checks bells at `enqueue`; names the offending field. */
export function checkBells(bells: readonly Bell[]): void {
  if (!Array.isArray(bells))
    throw new InvalidInputError('bells', 'must be an array of { id, name?, notBefore?, priority? }');
  bells.forEach((bell, i) => {
    const field = `bells[${i}]`;
    if (bell === null || typeof bell !== 'object') throw new InvalidInputError(field, 'must be an object');
    if (typeof bell.id !== 'string' || bell.id.length === 0) {
      throw new InvalidInputError(`${field}.id`, 'must be a non-empty string');
    }
    if (bell.name !== undefined && typeof bell.name !== 'string') {
      throw new InvalidInputError(`${field}.name`, 'must be a string when given');
    }
    if (bell.notBefore !== undefined && !Number.isFinite(bell.notBefore)) {
      throw new InvalidInputError(`${field}.notBefore`, 'must be epoch milliseconds when given');
    }
    if (bell.priority !== undefined && !Number.isSafeInteger(bell.priority)) {
      throw new InvalidInputError(`${field}.priority`, 'must be a whole number when given');
    }
  });
}

/** Bells that go into one file: same name, priority and `notBefore`. */
export interface BellGroup {
  notBefore: number;
  priority: number;
  tag: string;
  bells: Bell[];
}

/** Groups bells by (name, priority, notBefore), in first-seen order, at most {@link BELLS_PER_FILE} per group. */
export function groupBells(bells: readonly Bell[]): BellGroup[] {
  const open = new Map<string, BellGroup>();
  const groups: BellGroup[] = [];
  for (const bell of bells) {
    const notBefore = bell.notBefore ?? 0;
    const priority = bell.priority ?? 0;
    const tag = tagOf(bell.name);
    const key = `${tag}|${priority}|${notBefore}`;
    let group = open.get(key);
    if (!group || group.bells.length >= BELLS_PER_FILE) {
      group = { notBefore, priority, tag, bells: [] };
      open.set(key, group);
      groups.push(group);
    }
    group.bells.push(copyBell(bell));
  }
  return groups;
}

function copyBell(bell: Bell): Bell {
  const out: Bell = { id: bell.id };
  if (bell.name !== undefined) out.name = bell.name;
  if (bell.notBefore !== undefined) out.notBefore = bell.notBefore;
  if (bell.priority !== undefined) out.priority = bell.priority;
  return out;
}

/** Parses a bell file's content; `null` when it is not a list of bells. */
export function parseBells(text: string): Bell[] | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(raw)) return null;
  const bells: Bell[] = [];
  for (const item of raw) {
    if (item === null || typeof item !== 'object' || typeof (item as Bell).id !== 'string') return null;
    bells.push(item as Bell);
  }
  return bells;
}
