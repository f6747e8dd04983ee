import { InvalidInputError } from '../errors.js';
import { INPUT_LIMITS } from './input-limits.js';

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (the usual shape of job metadata). */
export type JsonObject = { [key: string]: JsonValue };

/** Limits {@link assertJson} applies. */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects. @default INPUT_LIMITS.metadataDepth (64) */
  maxDepth?: number;
  /** Largest `JSON.stringify` size in UTF-8 bytes. @default INPUT_LIMITS.metadataBytes (1 MiB) */
  maxBytes?: number;
}

/**
 * Checks that `value` is plain JSON that every store keeps exactly, and
 * throws an {@link InvalidInputError} naming the first offending path
 * (`metadata.when: Date is not JSON`). Walks without recursion, so a deep
 * value gets this error, never a stack overflow.
 *
 * Rejected: `undefined`, functions, symbols, bigints, non-finite numbers,
 * class instances (Date, Map, Buffer, …), cycles, strings (values or keys)
 * holding a lone UTF-16 surrogate or NUL (no JSON store can keep them
 * unchanged), nesting deeper than `maxDepth`, and more than `maxBytes`.
 */
export function assertJson(
  value: unknown,
  path: string,
  limits: JsonLimits = {},
): asserts value is JsonValue {
  const maxDepth = limits.maxDepth ?? INPUT_LIMITS.metadataDepth;
  const maxBytes = limits.maxBytes ?? INPUT_LIMITS.metadataBytes;
  const problem = findNonJson(value, path, maxDepth);
  if (problem) {
    throw new InvalidInputError(
      path.split(/[.[]/)[0] ?? path,
      `${problem}; pass plain JSON (strings, finite numbers, booleans, null, arrays, plain objects), e.g. an ISO string instead of a Date`,
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > maxBytes) {
    throw new InvalidInputError(
      path,
      `is ${bytes} bytes of JSON, more than the limit of ${maxBytes}; store large data elsewhere and pass a reference`,
    );
  }
}

/** The reason `text` cannot be stored unchanged, or `undefined`. */
export function unstorableText(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return 'contains NUL (\\u0000)';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'contains a lone UTF-16 surrogate';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'contains a lone UTF-16 surrogate';
  }
  return undefined;
}

interface Frame {
  value: unknown;
  path: string;
  depth: number;
}

function findNonJson(root: unknown, rootPath: string, maxDepth: number): string | undefined {
  const stack: Frame[] = [{ value: root, path: rootPath, depth: 0 }];
  // Objects on the current path (cycle detection): entered, then left when `exit` pops.
  const onPath = new Set<object>();
  const exits: Array<{ obj: object; after: number }> = [];
  while (stack.length > 0) {
    while (exits.length > 0 && exits[exits.length - 1]!.after >= stack.length) {
      onPath.delete(exits.pop()!.obj);
    }
    const { value, path, depth } = stack.pop()!;
    const problem = scalarProblem(value, path);
    if (problem !== null) {
      if (problem) return problem;
      continue;
    }
    const obj = value as object;
    if (onPath.has(obj)) return `${path}: circular reference is not JSON`;
    if (depth >= maxDepth) return `${path}: nested deeper than ${maxDepth} levels`;
    const children: Frame[] = [];
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++)
        children.push({ value: obj[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        const ctor = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        return `${path}: ${ctor} is not JSON`;
      }
      for (const k of Object.keys(obj)) {
        const bad = unstorableText(k);
        if (bad) return `${path}: key ${JSON.stringify(k)} ${bad}`;
        children.push({ value: (obj as Record<string, unknown>)[k], path: `${path}.${k}`, depth: depth + 1 });
      }
    }
    onPath.add(obj);
    exits.push({ obj, after: stack.length });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

/** `undefined` when fine, a message when not JSON, `null` for an array or object to walk. */
function scalarProblem(value: unknown, path: string): string | undefined | null {
  if (value === null) return undefined;
  switch (typeof value) {
    case 'string': {
      const bad = unstorableText(value);
      return bad ? `${path}: a string that ${bad}` : undefined;
    }
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${value} is not JSON`;
    case 'object':
      return null;
    default:
      return `${path}: ${typeof value} is not JSON`;
  }
}
