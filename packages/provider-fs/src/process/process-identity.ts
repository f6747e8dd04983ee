import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Who owns a temp file, a lock or a claimed bell: a process, told apart from
 * a later process that reuses its pid by its start time, from processes of
 * an earlier boot by the boot id, and from processes in another PID
 * namespace (another container) by that namespace's id.
 */
export interface ProcessIdentity {
  /** The process id. */
  pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22); `0` where unknown. */
  start: string;
  /** The first 12 hex digits of the kernel's boot id; `0` where unknown. */
  boot: string;
  /** The PID namespace's inode number; `0` where unknown. */
  ns: string;
}

const TAG = /^(\d+)\.(\d+)\.([0-9a-f]+)\.(\d+)$/;
let self: ProcessIdentity | undefined;

/** This process's identity (read once). */
export function selfIdentity(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    start: readStartTime(process.pid) ?? '0',
    boot: readBootId(),
    ns: readPidNamespace(),
  };
  return self;
}

/** `pid.start.boot.ns`: safe in file names (digits, hex and dots). */
export function identityTag(id: ProcessIdentity): string {
  return `${id.pid}.${id.start}.${id.boot}.${id.ns}`;
}

/** Parses {@link identityTag}'s output; `null` for anything else. */
export function parseIdentityTag(tag: string): ProcessIdentity | null {
  const m = TAG.exec(tag);
  if (!m) return null;
  return { pid: Number(m[1]), start: m[2] as string, boot: m[3] as string, ns: m[4] as string };
}

/** The identity a text made of `identityTag` + `.more.fields` starts with; `null` for other text. */
export function identityPrefix(text: string): ProcessIdentity | null {
  return parseIdentityTag(text.split('.').slice(0, 4).join('.'));
}

/** True when `id` names this very process. */
export function isSelf(id: ProcessIdentity): boolean {
  const me = selfIdentity();
  return id.pid === me.pid && id.start === me.start && id.boot === me.boot && id.ns === me.ns;
}

/** True when `id` was recorded during an earlier boot of this machine. */
export function isEarlierBoot(id: ProcessIdentity): boolean {
  const me = selfIdentity();
  return me.boot !== '0' && id.boot !== '0' && id.boot !== me.boot;
}

/**
 * True unless the process is proven gone: no such pid, a pid now used by a
 * process with another start time, a zombie, or a process of an earlier boot.
 * Age is never evidence: a stopped (SIGSTOP) or slow process is alive. A
 * process in another PID namespace (another container) cannot be checked
 * from here, so it counts as alive: its files are never taken over.
 */
export function isProcessAlive(id: ProcessIdentity): boolean {
  if (isSelf(id)) return true;
  if (isEarlierBoot(id)) return false;
  const me = selfIdentity();
  if (id.ns !== me.ns && id.ns !== '0' && me.ns !== '0') return true;
  const stat = readProcStat(id.pid);
  if (stat === 'no-proc') return signalZeroSaysAlive(id.pid);
  if (stat === null) return false;
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  return id.start === '0' || stat.start === id.start;
}

function signalZeroSaysAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ProcStat {
  state: string;
  start: string;
}

/** `null` when the pid does not exist; `'no-proc'` on systems without /proc. */
function readProcStat(pid: number): ProcStat | null | 'no-proc' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return hasProc() ? null : 'no-proc';
    return 'no-proc';
  }
  // Field 2 (the command) may hold spaces and parentheses: parse after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  if (state === undefined || start === undefined) return 'no-proc';
  return { state, start };
}

function readStartTime(pid: number): string | null {
  const stat = readProcStat(pid);
  return stat && stat !== 'no-proc' ? stat.start : null;
}

let procAvailable: boolean | undefined;
function hasProc(): boolean {
  if (procAvailable === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procAvailable = true;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable;
}

function readPidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}

function readBootId(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '');
    return id.slice(0, 12) || '0';
  } catch {
    return '0';
  }
}
