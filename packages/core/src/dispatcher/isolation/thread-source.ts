/**
 * The program a `worker_threads` worker runs for an isolated callback
 * (evaluated as a string, so it needs no file of its own in the build):
 * imports the callback's module, finds the class by export name or job
 * name, runs `execute` with a context whose signal follows the parent's
 * and whose progress, logs and logger lines are posted back, and posts the
 * result as JSON (or the error's message, name, code and stack).
 */
export const THREAD_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { moduleUrl, exportName, jobName, job, metadata } = workerData;
const controller = new AbortController();
parentPort.on('message', (message) => {
  if (message && message.type === 'abort') {
    const reason = new Error(message.message);
    reason.name = 'JobAbortedError';
    reason.code = message.code;
    controller.abort(reason);
  }
});
const post = (message) => parentPort.postMessage(message);
const named = (C) =>
  typeof C === 'function' && (C[Symbol.for('jobservice.jobName')] === jobName || C.jobName === jobName);
const line = (level) => (message, fields) => post({ type: 'logger', level, message: String(message), fields: fields === undefined ? undefined : JSON.parse(JSON.stringify(fields)) });
(async () => {
  const mod = await import(moduleUrl);
  const Callback = named(mod[exportName]) ? mod[exportName] : Object.values(mod).find(named);
  if (typeof Callback !== 'function') {
    throw new Error('the module ' + moduleUrl + ' exports no callback class named ' + jobName);
  }
  const instance = new Callback();
  instance.metadata = metadata;
  const context = {
    jobId: job.id,
    name: job.name,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    recovering: job.recovering,
    job,
    signal: controller.signal,
    progress: (value) => post({ type: 'progress', json: JSON.stringify(value) }),
    log: (level, message, fields) => post({ type: 'log', level, message: String(message), fields: fields === undefined ? undefined : JSON.parse(JSON.stringify(fields)) }),
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    parents: () => Promise.reject(new Error('parents() is not available to a worker-thread callback')),
  };
  const result = await instance.execute(context);
  post({ type: 'result', json: JSON.stringify(result === undefined ? null : result) });
})().catch((error) => {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ type: 'error', message: String(e.message), name: e.name, code: typeof e.code === 'string' ? e.code : undefined, stack: e.stack });
});
`;
