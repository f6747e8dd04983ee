import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The installed version of an npm package (looked up in bench/runtime, where
 * the peer systems live, then from bench/ upwards), or `not installed`.
 */
export function packageVersion(name: string): string {
  const peer = join(benchDir, 'runtime', 'node_modules', name, 'package.json');
  if (existsSync(peer)) return (JSON.parse(readFileSync(peer, 'utf8')) as { version: string }).version;
  let dir = benchDir;
  for (;;) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    const parent = dirname(dir);
    if (parent === dir) return 'not installed';
    dir = parent;
  }
}

/** The version in one of this repository's workspace packages, e.g. `packages/core`. */
export function workspaceVersion(folder: string): string {
  const file = join(benchDir, '..', folder, 'package.json');
  if (!existsSync(file)) return 'absent';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The bench folder (for results/ and child scripts). */
export const BENCH_DIR = benchDir;
