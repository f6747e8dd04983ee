/**
 * Starts WORKERS worker processes and one producer, each its own Node
 * process; stops the workers when the producer is done.
 *
 *   WORKERS=3 JOBS=1000 npm start
 */
import { type ChildProcess, spawn } from 'node:child_process';

const workers = Number(process.env.WORKERS ?? 3);

function run(script: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: import.meta.dirname,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
}

const children = Array.from({ length: workers }, (_, i) =>
  run('worker.ts', { WORKER_NAME: `worker-${i + 1}` }),
);
await new Promise((resolve) => setTimeout(resolve, 1_500));
const producer = run('producer.ts');
const code = await new Promise<number | null>((resolve) => producer.once('exit', resolve));
for (const child of children) child.kill('SIGTERM');
await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
process.exit(code ?? 1);
