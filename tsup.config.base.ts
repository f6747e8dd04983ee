import type { Options } from 'tsup';

/**
 * The one build shape every package shares: ESM + CJS with types for each,
 * Node 20 target, source maps, a clean `dist/` per build.
 */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
  };
}
