import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import { InvalidInputError } from '../errors.js';
import type { NewJob, ParentFailurePolicy } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import { checkParentFailurePolicy, checkParentIds } from './continuation-options.js';

/** Most jobs one flow may hold. */
export const MAX_FLOW_NODES = 1_000;

/** One job of a flow. */
export interface FlowNode<TOptions = Record<string, unknown>> {
  /** A callback class or name. */
  callback: JobCallbackClass | string;
  metadata: JsonValue;
  /** Names of other nodes of this flow, or ids of jobs already in the store, to run after. */
  after?: string[];
  /** What happens when a parent fails or is cancelled. @default 'cancel' */
  onParentFailure?: ParentFailurePolicy;
  /** Enqueue options (no idempotency key: a flow is written whole or not at all). */
  options?: TOptions;
}

/** A flow: its jobs by a name of your choice, wired by `after`. */
export type FlowSpec<TOptions = Record<string, unknown>> = Record<string, FlowNode<TOptions>>;

/** The jobs to insert, parents before children, and what they refer to outside the flow. */
export interface FlowPlan {
  /** Node names in insert order (parents first). */
  names: string[];
  /** The jobs, in the same order. */
  jobs: NewJob[];
  /** Parent ids outside the flow (they must exist). */
  external: Set<string>;
}

/**
 * Validates a flow and turns it into jobs: each node built with `build`,
 * `after` resolved (a node name first, else an existing job's id), cycles
 * refused with the path, idempotency keys refused. Throws an
 * {@link InvalidInputError} naming the node's field; nothing is written.
 */
export function planFlow(spec: unknown, build: (node: FlowNode, name: string) => NewJob): FlowPlan {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new InvalidInputError('flow', 'must be an object of { name: { callback, metadata, after? } }');
  }
  const names = Object.keys(spec);
  if (names.length === 0 || names.length > MAX_FLOW_NODES) {
    throw new InvalidInputError('flow', `must hold 1–${MAX_FLOW_NODES} jobs, got ${names.length}`);
  }
  const nodes = spec as FlowSpec;
  const jobs = new Map<string, NewJob>();
  for (const name of names) {
    const node = nodes[name];
    if (node === null || typeof node !== 'object') {
      throw new InvalidInputError(`flow.${name}`, 'must be { callback, metadata, after?, options? }');
    }
    if ((node.options as { key?: unknown } | undefined)?.key !== undefined) {
      throw new InvalidInputError(
        `flow.${name}.options.key`,
        'idempotency keys are not taken inside a flow (a taken key would orphan its children); key the flow’s caller instead',
      );
    }
    jobs.set(name, build(node, name));
  }
  const external = new Set<string>();
  const children = new Map<string, string[]>(names.map((n) => [n, []]));
  const parentCount = new Map<string, number>(names.map((n) => [n, 0]));
  for (const name of names) {
    const node = nodes[name] as FlowNode;
    const after = checkParentIds(node.after, `flow.${name}.after`);
    const policy = checkParentFailurePolicy(
      node.onParentFailure,
      after !== undefined,
      `flow.${name}.onParentFailure`,
    );
    if (!after) continue;
    const job = jobs.get(name) as NewJob;
    job.parents = after.map((ref) => {
      const parent = jobs.get(ref);
      if (!parent) {
        external.add(ref);
        return ref;
      }
      children.get(ref)?.push(name);
      parentCount.set(name, (parentCount.get(name) ?? 0) + 1);
      return parent.id;
    });
    if (policy) job.onParentFailure = policy;
  }
  const order = topologicalOrder(names, children, parentCount);
  return { names: order, jobs: order.map((n) => jobs.get(n) as NewJob), external };
}

/** Kahn's algorithm; a cycle is an error naming its path. */
function topologicalOrder(
  names: string[],
  children: Map<string, string[]>,
  parentCount: Map<string, number>,
): string[] {
  const left = new Map(parentCount);
  const ready = names.filter((n) => left.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    order.push(name);
    for (const child of children.get(name) ?? []) {
      const count = (left.get(child) ?? 0) - 1;
      left.set(child, count);
      if (count === 0) ready.push(child);
    }
  }
  if (order.length === names.length) return order;
  const stuck = new Set(names.filter((n) => !order.includes(n)));
  const cycle = cyclePath(stuck, children);
  throw new InvalidInputError(`flow.${cycle[0]}.after`, `forms a cycle: ${cycle.join(' → ')}`);
}

/**
 * One cycle among `stuck` nodes, as a path that ends where it starts. Every
 * stuck node has a stuck parent, so walking parents always closes a loop.
 */
function cyclePath(stuck: Set<string>, children: Map<string, string[]>): string[] {
  const parentOf = new Map<string, string>();
  for (const [parent, kids] of children) {
    if (!stuck.has(parent)) continue;
    for (const kid of kids) if (stuck.has(kid) && !parentOf.has(kid)) parentOf.set(kid, parent);
  }
  const walk = [[...stuck][0] as string];
  const seen = new Map<string, number>([[walk[0] as string, 0]]);
  for (;;) {
    const parent = parentOf.get(walk[walk.length - 1] as string) as string;
    const index = seen.get(parent);
    if (index !== undefined) return [...walk.slice(index), parent].reverse();
    seen.set(parent, walk.length);
    walk.push(parent);
  }
}
