import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  identityPrefix,
  identityTag,
  isProcessAlive,
  type ProcessIdentity,
  selfIdentity,
} from '../src/process/process-identity.js';
import { untilStopped } from './helpers/proc.js';

function identityOf(pid: number): ProcessIdentity {
  const found = identityPrefix(`${pid}.0.${selfIdentity().boot}.${selfIdentity().ns}`);
  if (!found) throw new Error('bad identity');
  return found;
}

describe('process identity and liveness', () => {
  it('round-trips through a tag that is safe in file names', () => {
    const me = selfIdentity();
    expect(identityTag(me)).toMatch(/^\d+\.\d+\.[0-9a-f]+\.\d+$/);
    expect(identityPrefix(`${identityTag(me)}.17.owner`)).toEqual(me);
    expect(identityPrefix('not.a.tag')).toBeNull();
  });

  it('knows this process is alive and a pid that cannot exist is dead', () => {
    expect(isProcessAlive(selfIdentity())).toBe(true);
    expect(isProcessAlive({ ...selfIdentity(), pid: 99_999_999 })).toBe(false);
  });

  it('tells a reused pid apart by its start time, and an earlier boot apart by boot id', () => {
    const me = selfIdentity();
    expect(isProcessAlive({ ...me, start: String(Number(me.start) + 1) })).toBe(false);
    expect(isProcessAlive({ ...me, start: '1', boot: 'abcdef012345' })).toBe(false);
  });

  it('counts a stopped process as alive and an exited one as dead', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const withStart = { ...identityOf(pid), start: readStart(pid) };
    expect(isProcessAlive(withStart)).toBe(true);
    child.kill('SIGSTOP');
    await untilStopped(pid);
    expect(isProcessAlive(withStart)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(isProcessAlive(withStart)).toBe(false);
  });

  it('never judges a process of another PID namespace dead: it cannot be checked from here', () => {
    expect(isProcessAlive({ ...selfIdentity(), pid: 99_999_999, ns: '1' })).toBe(true);
  });
});

function readStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}
