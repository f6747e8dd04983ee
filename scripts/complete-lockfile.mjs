#!/usr/bin/env node
/**
 * The npm registry reachable from this project's machines serves only the
 * linux-glibc builds of platform-specific packages (biome, rollup, turbo), so
 * `npm install` writes a package-lock.json without the other platforms'
 * optional entries, and `npm ci` then refuses the lock as out of sync.
 *
 * This script records each missing platform package in the lock with its
 * version and its os/cpu/libc (read from the package name), marked optional:
 * `npm ci` accepts the lock and skips those packages on this platform, as it
 * would anyway. Run it after every `npm install`: `npm run lockfile`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

// The lock to complete: the root's, or the one given (`node scripts/complete-lockfile.mjs bench/runtime/package-lock.json`).
const path = process.argv[2]
  ? new URL(process.argv[2], `file://${process.cwd()}/`)
  : new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = [
  ['android', 'android'],
  ['darwin', 'darwin'],
  ['freebsd', 'freebsd'],
  ['openbsd', 'openbsd'],
  ['openharmony', 'openharmony'],
  ['win32', 'win32'],
  ['windows', 'win32'],
  ['linux', 'linux'],
];
const CPU = [
  ['arm64', 'arm64'],
  ['aarch64', 'arm64'],
  ['x64', 'x64'],
  ['-64', 'x64'],
  ['ia32', 'ia32'],
  ['loong64', 'loong64'],
  ['ppc64', 'ppc64'],
  ['riscv64', 'riscv64'],
  ['s390x', 's390x'],
  ['arm', 'arm'],
];

function platformOf(name) {
  const base = name.split('/').pop();
  const os = OS.find(([token]) => base.includes(token))?.[1];
  const cpu = CPU.find(([token]) => base.includes(token))?.[1];
  if (!os || !cpu) return undefined;
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux') entry.libc = [base.includes('musl') ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [location, pkg] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) continue;
    packages[`node_modules/${name}`] = {
      version: spec,
      ...platform,
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
    };
    added++;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: recorded ${added} platform package(s) this registry does not serve`);
