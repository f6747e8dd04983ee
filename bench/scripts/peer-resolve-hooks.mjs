/** Module resolve hook: the peers named here resolve as if imported from `bench/runtime`. */
const PEERS = new Set(['bullmq', 'graphile-worker', 'ioredis', 'pg-boss']);
const runtimeParent = new URL('../runtime/package.json', import.meta.url).href;

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  if (PEERS.has(packageOf(specifier)))
    return nextResolve(specifier, { ...context, parentURL: runtimeParent });
  return nextResolve(specifier, context);
}
