/**
 * A child process: a worker of one system (started on `go`, stopped on
 * `stop`), or a task (one exported function run once in a fresh process).
 * Its config arrives in `BENCH_CHILD`; it talks to the parent over IPC.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monotonicMs } from '../stats.js';
import { loadSystem } from '../systems/registry.js';
import type { NoopPayload, WorkerHandle } from '../systems/types.js';
import type { ChildConfig, ChildMessage, ParentMessage } from './protocol.js';

const config = JSON.parse(process.env.BENCH_CHILD ?? '{}') as ChildConfig;
const send = (message: ChildMessage) => process.send?.(message);

async function runTask(task: Extract<ChildConfig, { kind: 'task' }>): Promise<void> {
  const module = (await import(new URL(`../${task.module}`, import.meta.url).href)) as Record<
    string,
    (args: unknown) => Promise<unknown>
  >;
  const fn = module[task.exportName];
  if (typeof fn !== 'function') throw new Error(`${task.module} has no export ${task.exportName}`);
  send({ type: 'result', value: await fn(task.args) });
}

async function runWorker(worker: Extract<ChildConfig, { kind: 'worker' }>): Promise<void> {
  const system = await loadSystem(worker.system);
  const problem = await system.unavailable(worker.env);
  if (problem) throw new Error(problem);
  const adapter = system.create(worker.env);
  await adapter.warm();
  let count = 0;
  let reported = 0;
  let first = 0;
  const onStart =
    worker.report === 'latency'
      ? (payload: NoopPayload) => {
          const ms = Number(process.hrtime.bigint() - BigInt(payload.t ?? '0')) / 1e6;
          count++;
          send({ type: 'latency', ms });
        }
      : () => {
          if (count++ === 0) first = monotonicMs();
        };
  const ticker = setInterval(() => {
    if (count !== reported) {
      reported = count;
      send({ type: 'count', n: count, first });
    }
  }, 5);
  let handle: WorkerHandle | undefined;
  const profiler = worker.profileDir ? new Session() : undefined;
  let spans = 0;
  profiler?.connect();
  await profiler?.post('Profiler.enable');
  // One message at a time: a `halt` never overtakes the `go` before it.
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message: ParentMessage) => {
    queue = queue.then(() => onMessage(message));
  });
  process.on('disconnect', () => process.exit(1)); // the parent is gone
  const onMessage = async (message: ParentMessage) => {
    try {
      if (message.type === 'go') {
        count = 0;
        reported = 0;
        first = 0;
        await profiler?.post('Profiler.start');
        handle = await adapter.startWorker({ concurrency: worker.concurrency, onStart });
      } else if (message.type === 'halt') {
        await handle?.stop();
        handle = undefined;
        if (profiler && worker.profileDir) {
          const { profile } = await profiler.post('Profiler.stop');
          writeFileSync(
            join(worker.profileDir, `worker-${process.pid}-${++spans}.cpuprofile`),
            JSON.stringify(profile),
          );
        }
        send({ type: 'halted', n: count });
      } else if (message.type === 'stop') {
        await handle?.stop();
        clearInterval(ticker);
        await adapter.close();
        send({ type: 'stopped', n: count });
        process.removeAllListeners('disconnect');
        process.disconnect();
      }
    } catch (error) {
      send({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  };
  send({ type: 'ready' });
}

try {
  if (config.kind === 'task') {
    await runTask(config);
    process.disconnect();
  } else await runWorker(config);
} catch (error) {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.disconnect();
}
