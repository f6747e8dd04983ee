import { decodeRecord, encodeRecord, type LoggedRecord } from './index-entry.js';

/** The first byte of a body line: `D` + a document's JSON. */
export const BODY_MARK = 0x44;
/** The line separator. */
export const NEWLINE = 10;

/**
 * One commit of the index log: the records it applies (each with its body,
 * when the document lies in the log) and, for a write-back, the
 * `[id, version]` pairs whose files now hold the document the log held.
 */
export interface LogCommit {
  owner: string;
  records: LoggedRecord[];
  written?: Array<[string, number]>;
}

/** A marker at the end of an old generation: follow generation `next` (its snapshot is `at` bytes). */
export interface NextMarker {
  next: number;
  at: number;
}

/** Where a body line's document lies, relative to the start of its encoded commit. */
export interface BodySpan {
  at: number;
  len: number;
}

/**
 * Encodes one commit: a body line (`D` + JSON) for every record carrying a
 * `body`, then the commit line `{"o": owner, "e": [records], "w": [...]}`.
 * Returned as one buffer (one `write`), with each body's place in it, in
 * record order. A reader applies the commit only once its commit line is
 * complete, so a torn append applies nothing.
 */
export function encodeCommit(commit: LogCommit): { buf: Buffer; bodies: BodySpan[] } {
  const parts: string[] = [];
  const bodies: BodySpan[] = [];
  let bytes = 0;
  for (const { body } of commit.records) {
    if (body === undefined) continue;
    const len = Buffer.byteLength(body, 'utf8');
    bodies.push({ at: bytes + 1, len });
    parts.push('D', body, '\n');
    bytes += len + 2;
  }
  const line: Record<string, unknown> = { o: commit.owner, e: commit.records.map(encodeRecord) };
  if (commit.written && commit.written.length > 0) line.w = commit.written;
  parts.push(JSON.stringify(line), '\n');
  return { buf: Buffer.from(parts.join(''), 'utf8'), bodies };
}

/** Encodes a {@link NextMarker} line. */
export function encodeMarker(marker: NextMarker): Buffer {
  return Buffer.from(`${JSON.stringify(marker)}\n`, 'utf8');
}

/** Parses a commit or marker line; `null` when it is neither (a damaged log). */
export function parseLine(line: string): LogCommit | NextMarker | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.next === 'number' && typeof o.at === 'number') return { next: o.next, at: o.at };
  if (typeof o.o !== 'string' || !Array.isArray(o.e)) return null;
  const records: LoggedRecord[] = [];
  for (const item of o.e) {
    const record = decodeRecord(item);
    if (!record) return null;
    records.push(record);
  }
  const commit: LogCommit = { owner: o.o, records };
  if (o.w !== undefined) {
    if (!Array.isArray(o.w)) return null;
    const written: Array<[string, number]> = [];
    for (const pair of o.w) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number') return null;
      written.push([pair[0], pair[1]]);
    }
    commit.written = written;
  }
  return commit;
}
