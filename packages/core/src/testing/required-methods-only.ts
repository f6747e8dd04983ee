import type { IDocumentDataProvider } from '../store/document-provider.js';

/**
 * The store with its optional capabilities hidden, so core's fallbacks run
 * over its required methods: how the kit tests the fallback path.
 */
export function requiredMethodsOnly(store: IDocumentDataProvider): IDocumentDataProvider {
  return {
    providerName: store.providerName,
    insert: (job, options) => store.insert(job, options),
    get: (id) => store.get(id),
    update: (id, version, patch) => store.update(id, version, patch),
    query: (query) => store.query(query),
    delete: (id, version) => store.delete(id, version),
    now: () => store.now(),
    close: () => store.close(),
  };
}

const OPTIONAL_METHODS = [
  'insertAndRing',
  'insertMany',
  'claim',
  'settle',
  'extendLeases',
  'recover',
  'prune',
  'watch',
  'countJobs',
] as const;

/**
 * The store with every method it has (required and optional) delegated,
 * and `overrides` in place of some: how tests count, delay or cut calls
 * without touching the store.
 *
 * @example
 * const counted = delegatingStore(store, { claim: (r) => { claims++; return store.claim!(r); } });
 */
export function delegatingStore(
  store: IDocumentDataProvider,
  overrides: Partial<IDocumentDataProvider> = {},
): IDocumentDataProvider {
  const out: IDocumentDataProvider = { ...requiredMethodsOnly(store) };
  const writable = out as unknown as Record<string, unknown>;
  for (const method of OPTIONAL_METHODS) {
    const fn = store[method] as ((...args: unknown[]) => unknown) | undefined;
    if (fn) writable[method] = fn.bind(store);
  }
  return Object.assign(out, overrides);
}

/**
 * The store as it is, minus its change feed (`watch`): every other member
 * read from the store itself, methods bound to it. A dispatcher given it
 * learns of cancel requests only with its heartbeats (lease extensions),
 * which is how tests prove that path.
 */
export function withoutWatch<T extends IDocumentDataProvider>(store: T): T {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'watch') return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (target, key) => key !== 'watch' && Reflect.has(target, key),
  });
}
