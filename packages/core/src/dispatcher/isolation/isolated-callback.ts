/**
 * `static isolation = 'worker-thread'`: the callback runs in a
 * `worker_threads` worker, so a handler that never yields (`while (true) {}`)
 * can be stopped for real — the worker is terminated at the hard time limit
 * (`timeoutMs + timeoutGraceMs`). Metadata goes in and the result comes
 * back as JSON; the worker imports the callback's module itself, named by
 * `static moduleUrl = import.meta.url`.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobCallbackClass, JobContext } from '../../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../../callbacks/callback-registry.js';
import type { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { InvalidInputError, JobServiceError } from '../../errors.js';
import { checkWholeNumber } from '../../model/flow-control.js';
import type { JobLogLevel } from '../../model/job-log.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import { THREAD_SOURCE } from './thread-source.js';

/** An instance whose work can be stopped for real (a terminated worker). */
export interface Terminable {
  /** Stops the work at once; the attempt has been settled already. */
  terminate(): void;
}

/** True when `instance` can be terminated (an isolated callback). */
export function isTerminable(instance: unknown): instance is Terminable {
  return instance instanceof IsolatedCallback;
}

/** Checks every callback's `isolation` (for worker threads, its `moduleUrl`) and `timeoutGraceMs` when a dispatcher is built. */
export function checkIsolation(registry: CallbackRegistry): void {
  for (const name of registry.names) {
    const callback = registry.get(name) as JobCallbackClass;
    const isolation = callback.isolation ?? 'none';
    if (isolation !== 'none' && isolation !== 'worker-thread') {
      throw new InvalidInputError(
        `${callback.name}.isolation`,
        `must be 'none' or 'worker-thread', got ${String(isolation)}`,
      );
    }
    if (isolation === 'worker-thread') moduleUrlOf(callback);
    if (callback.timeoutGraceMs !== undefined) {
      checkWholeNumber(callback.timeoutGraceMs, `${callback.name}.timeoutGraceMs`, 0, 86_400_000);
    }
  }
}

/** True when the callback runs in a worker thread. */
export function isIsolated(callback: JobCallbackClass): boolean {
  return callback.isolation === 'worker-thread';
}

/** The stand-in a dispatcher runs for an isolated callback: it drives one worker per attempt. */
export class IsolatedCallback implements Terminable {
  /** The metadata the attempt passes in (sent to the worker as JSON). */
  metadata: unknown;
  private worker: Worker | undefined;
  private settle: ((end: { error: Error }) => void) | undefined;

  constructor(private readonly callback: JobCallbackClass) {}

  /** Runs the callback's `execute` in a new worker and resolves with what it returns. */
  execute(context: JobContext): Promise<JobExecutionResult> {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        moduleUrl: moduleUrlOf(this.callback),
        exportName: this.callback.name,
        jobName: context.name,
        job: JSON.parse(JSON.stringify(context.job)),
        metadata: JSON.parse(JSON.stringify(this.metadata ?? null)),
      },
    });
    this.worker = worker;
    const onAbort = () => {
      const reason = context.signal.reason as { message?: string; code?: string } | undefined;
      worker.postMessage({ type: 'abort', message: reason?.message ?? 'aborted', code: reason?.code });
    };
    return new Promise<JobExecutionResult>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        context.signal.removeEventListener('abort', onAbort);
        fn();
        void worker.terminate();
      };
      this.settle = ({ error }) => finish(() => reject(error));
      if (context.signal.aborted) onAbort();
      else context.signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: ThreadMessage) => {
        switch (message.type) {
          case 'progress':
            return context.progress(JSON.parse(message.json) as JsonValue);
          case 'log':
            return context.log(message.level, message.message, message.fields);
          case 'logger':
            return context.logger[message.level](message.message, message.fields);
          case 'result':
            return finish(() => resolve(JSON.parse(message.json) as JobExecutionResult));
          case 'error':
            return finish(() => reject(rebuildError(message)));
        }
      });
      worker.on('error', (error) => finish(() => reject(error)));
      worker.on('exit', (code) =>
        finish(() =>
          reject(new JobServiceError('WORKER_EXITED', `the worker thread exited with code ${code}`)),
        ),
      );
    });
  }

  /** Terminates the worker (the hard time limit passed); `execute` rejects. */
  terminate(): void {
    this.settle?.({
      error: new JobServiceError('TIMEOUT', 'the worker thread was terminated at the hard limit'),
    });
    void this.worker?.terminate();
  }
}

type ThreadMessage =
  | { type: 'progress'; json: string }
  | { type: 'log'; level: JobLogLevel; message: string; fields?: JsonObject }
  | { type: 'logger'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: JsonObject }
  | { type: 'result'; json: string }
  | { type: 'error'; message: string; name?: string; code?: string; stack?: string };

function rebuildError(message: { message: string; name?: string; code?: string; stack?: string }): Error {
  const error = new Error(message.message) as Error & { code?: string };
  if (message.name) error.name = message.name;
  if (message.code) error.code = message.code;
  if (message.stack) error.stack = message.stack;
  return error;
}

function moduleUrlOf(callback: JobCallbackClass): string {
  const url = callback.moduleUrl;
  if (typeof url === 'string' && url.startsWith('file:')) return url;
  if (typeof url === 'string' && isAbsolute(url)) return pathToFileURL(url).href;
  throw new InvalidInputError(
    `${callback.name}.moduleUrl`,
    `isolation 'worker-thread' needs the module the worker imports: add static moduleUrl = import.meta.url (got ${String(url)})`,
  );
}
