import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: RegExp) => {
    for (let i = 0; i < 600 && !text.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    if (!text.test(output)) throw new Error(`worker never printed ${text}; output:\n${output}`);
  };
  return { child, exited, waitFor, output: () => output };
}

describe('worker host', () => {
  it('drains and exits 0 on SIGTERM', async () => {
    const worker = startWorker({ DEMO_RATE: '20', JOB_MS: '20', GRACE_MS: '5000' });
    await worker.waitFor(/worker ready/);
    await new Promise((r) => setTimeout(r, 500));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const out = worker.output();
    expect(out).toMatch(/SIGTERM: stopping/);
    const done = Number(/stopped cleanly after (\d+) completed/.exec(out)?.[1]);
    expect(done).toBeGreaterThan(0);
  }, 60_000);

  it('forces an exit on a second signal while jobs outlive the grace period', async () => {
    const worker = startWorker({ DEMO_RATE: '5', JOB_MS: '60000', GRACE_MS: '60000', CONCURRENCY: '2' });
    await worker.waitFor(/worker ready/);
    await new Promise((r) => setTimeout(r, 800));
    worker.child.kill('SIGINT');
    await worker.waitFor(/SIGINT: stopping/);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(130);
    expect(worker.output()).toMatch(/forcing exit with [12] job\(s\) still running/);
  }, 60_000);

  it('refuses a malformed setting, naming the variable', async () => {
    const worker = startWorker({ CONCURRENCY: 'lots' });
    expect(await worker.exited).not.toBe(0);
    expect(worker.output()).toMatch(/CONCURRENCY must be a whole number/);
  }, 60_000);
});
