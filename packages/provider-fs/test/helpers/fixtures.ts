import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, NewJob } from '@jobservice/core';
import { identityTag, selfIdentity } from '../../src/process/process-identity.js';

let serial = 0;

/** A NewJob with defaults. */
export function job(overrides: Partial<NewJob> = {}): NewJob {
  serial++;
  return {
    id: `01900000-0000-7000-8000-${String(serial).padStart(12, '0')}`,
    name: 'work',
    metadata: { serial },
    priority: 0,
    maxAttempts: 3,
    backoff: { type: 'fixed', delayMs: 0 },
    timeoutMs: null,
    key: null,
    ...overrides,
  };
}

/** An owner tag of a process that cannot exist (pid above Linux's pid_max), this boot and namespace. */
export function deadTag(instance = 1): string {
  return `${identityTag({ ...selfIdentity(), pid: 99_999_999, start: '1' })}.${instance}`;
}

/** An owner tag of this process's pid recorded during an earlier boot. */
export function earlierBootTag(instance = 1): string {
  return `${identityTag({ ...selfIdentity(), start: '1', boot: '000000000000' })}.${instance}`;
}

/** A logger that records what it was told. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const record = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** The newest index log generation's path. */
export function newestLog(root: string): string {
  const gens = readdirSync(join(root, 'index'))
    .filter((f) => /^log\.\d+$/.test(f))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  return join(root, 'index', gens[gens.length - 1] as string);
}
