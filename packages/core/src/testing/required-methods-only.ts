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
