import { readFileSync } from 'node:fs';

/** The process state letter from /proc (`T` when stopped), or `null` when it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** Waits until the process is stopped (SIGSTOP delivered). */
export async function untilStopped(pid: number): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (processState(pid) === 'T' || processState(pid) === 't') return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`process ${pid} did not stop`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
