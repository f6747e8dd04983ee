/**
 * Per-callback max parallelism: how many jobs of one callback may run at
 * once, per dispatcher (a local cap, no store cost) or across every worker
 * on the store (`'cluster'`: the store's claim enforces it, see
 * `ClaimRequest.nameLimits`).
 */
import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../callbacks/callback-registry.js';
import { InvalidInputError } from '../errors.js';
import { flowControlRefusal } from '../manager/job-builder.js';
import { checkWholeNumber, FLOW_LIMITS } from '../model/flow-control.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';

/** Where a parallelism cap holds: in this dispatcher alone, or across every worker on the store. */
export type ParallelismScope = 'dispatcher' | 'cluster';

/** A dispatcher's override of a callback's `maxParallelism`: a number (its scope kept) or both fields. */
export type ParallelismOverride = number | { max: number; scope?: ParallelismScope };

/** The caps a dispatcher applies. */
export interface Parallelism {
  /** Per name, the most jobs this dispatcher holds at once (both scopes: a cluster cap bounds each worker too). */
  local: ReadonlyMap<string, number>;
  /** Per name, the cluster-wide caps every claim carries; `undefined` when there are none. */
  cluster: Readonly<Record<string, number>> | undefined;
}

/**
 * Reads each callback's `maxParallelism` / `maxParallelismScope`, applies
 * the dispatcher's `overrides`, and checks them: a cap is a whole number
 * 1–10,000; a cluster cap needs a store whose claim enforces it (core's
 * fallback does; a native claim must declare `flowControl`).
 */
export function resolveParallelism(
  registry: CallbackRegistry,
  overrides: Readonly<Record<string, ParallelismOverride>> | undefined,
  store: IDocumentDataProvider,
): Parallelism {
  if (overrides !== undefined && (overrides === null || typeof overrides !== 'object')) {
    throw new InvalidInputError('maxParallelism', 'must map callback names to caps, e.g. { resize: 3 }');
  }
  const local = new Map<string, number>();
  const cluster: Record<string, number> = {};
  for (const name of registry.names) {
    const callback = registry.get(name) as JobCallbackClass;
    const cap = capOf(name, callback, overrides?.[name]);
    if (cap === undefined) continue;
    local.set(name, cap.max);
    if (cap.scope === 'cluster') cluster[name] = cap.max;
  }
  for (const name of Object.keys(overrides ?? {})) {
    if (registry.get(name) === undefined) {
      throw new InvalidInputError(
        `maxParallelism.${name}`,
        `names no callback of this dispatcher (it runs ${registry.names.join(', ')})`,
      );
    }
  }
  const clustered = Object.keys(cluster);
  if (clustered.length > 0) {
    const refusal = flowControlRefusal(store);
    if (refusal) {
      throw new InvalidInputError(
        `maxParallelismScope (${clustered[0]})`,
        `'cluster' is not enforced here: ${refusal}`,
      );
    }
  }
  return { local, cluster: clustered.length > 0 ? cluster : undefined };
}

function capOf(
  name: string,
  callback: JobCallbackClass,
  override: ParallelismOverride | undefined,
): { max: number; scope: ParallelismScope } | undefined {
  const scope = checkScope(
    typeof override === 'object' && override?.scope !== undefined
      ? override.scope
      : (callback.maxParallelismScope ?? 'dispatcher'),
    typeof override === 'object' ? `maxParallelism.${name}.scope` : `${callback.name}.maxParallelismScope`,
  );
  if (override !== undefined) {
    const max = typeof override === 'number' ? override : override?.max;
    const field = typeof override === 'number' ? `maxParallelism.${name}` : `maxParallelism.${name}.max`;
    return { max: checkWholeNumber(max, field, 1, FLOW_LIMITS.maxConcurrency), scope };
  }
  if (callback.maxParallelism === undefined) return undefined;
  const max = checkWholeNumber(
    callback.maxParallelism,
    `${callback.name}.maxParallelism`,
    1,
    FLOW_LIMITS.maxConcurrency,
  );
  return { max, scope };
}

function checkScope(value: unknown, field: string): ParallelismScope {
  if (value !== 'dispatcher' && value !== 'cluster') {
    throw new InvalidInputError(field, `must be 'dispatcher' or 'cluster', got ${String(value)}`);
  }
  return value;
}
