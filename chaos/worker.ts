/**
 * A chaos worker process: one JobDispatcher on the run's store, running the
 * `chaos` callback. Settings come as JSON in `CHAOS_WORKER`; every dispatcher
 * event is sent to the parent over IPC with the wall time.
 *
 * The callback appends (job id, attempt, pid, time) to a ledger the SDK does
 * not touch (the `chaos_ledger` table, or an fsynced append-only file per
 * worker process) before it works, so the ledger counts runs. Then it:
 * SIGKILLs its own process when the job's metadata says `poison`; works
 * `metadata.ms` (or a random time in the worker's range), stopping when the
 * signal aborts unless `ignoreSignal` (a zombie that does not cooperate).
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BaseJobCallback, type JobContext, JobDispatcher, JobExecutionResult } from '@jobservice/core';
import pg from 'pg';
import type { WorkerSpec } from './lib/fleet.js';
import { openHandles } from './lib/stores.js';

const spec = JSON.parse(process.env.CHAOS_WORKER ?? '{}') as WorkerSpec;
const send = (message: Record<string, unknown>) => {
  if (process.connected) process.send?.({ w: spec.name, pid: process.pid, t: Date.now(), ...message });
};

const handles = await openHandles(spec.location);
const { store, queue } = handles;
let append: (id: string, attempt: number) => Promise<void>;
let closeLedger: () => Promise<void>;

if (spec.location.provider === 'postgres' || spec.location.provider === 'pg-rabbitmq') {
  const ledger = new pg.Pool({ connectionString: spec.ledgerUrl ?? spec.location.url, max: 2 });
  append = async (id, attempt) => {
    await ledger.query(
      `INSERT INTO "${spec.location.schema}".chaos_ledger (job_id, attempt, pid, at) VALUES ($1, $2, $3, $4)`,
      [id, attempt, process.pid, Date.now()],
    );
  };
  closeLedger = () => ledger.end();
} else {
  const fd = openSync(join(spec.location.ledgerDir as string, `${process.pid}.ledger`), 'a');
  append = async (id, attempt) => {
    writeSync(fd, `${id} ${attempt} ${process.pid} ${Date.now()}\n`);
    fdatasyncSync(fd);
  };
  closeLedger = async () => closeSync(fd);
}

function work(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

class ChaosJob extends BaseJobCallback<{ poison?: boolean; ms?: number }> {
  static jobName = 'chaos';

  async execute(ctx: JobContext<{ poison?: boolean; ms?: number }>) {
    ctx.signal.addEventListener('abort', () => send({ e: 'aborted', id: ctx.jobId }), { once: true });
    await append(ctx.jobId, ctx.attempt);
    if (this.metadata.poison) process.kill(process.pid, 'SIGKILL');
    const ms = this.metadata.ms ?? spec.minMs + Math.floor(Math.random() * (spec.maxMs - spec.minMs + 1));
    await work(ms, spec.ignoreSignal ? undefined : ctx.signal);
    send({ e: 'finished', id: ctx.jobId });
    return JobExecutionResult.success({ worker: spec.name, pid: process.pid });
  }
}

const dispatcher = new JobDispatcher({
  store,
  queue,
  callbacks: [ChaosJob],
  concurrency: spec.concurrency,
  leaseMs: spec.leaseMs,
  ...(spec.prefetch === undefined ? {} : { prefetch: spec.prefetch }),
  workerId: `${spec.name}:${process.pid}`,
  idlePollMs: 500,
});
dispatcher.on('started', ({ job }) =>
  send({ e: 'started', id: job.id, attempt: job.attempt, leaseToken: job.leaseToken }),
);
dispatcher.on('completed', ({ job }) => send({ e: 'completed', id: job.id }));
dispatcher.on('failed', ({ job }) => send({ e: 'failed', id: job.id }));
dispatcher.on('retrying', ({ job }) => send({ e: 'retrying', id: job.id }));
dispatcher.on('released', ({ job }) => send({ e: 'released', id: job.id }));
dispatcher.on('recovered', ({ job }) => send({ e: 'recovered', id: job.id, status: job.status }));
dispatcher.on('leaseLost', ({ job, reason }) => send({ e: 'leaseLost', id: job.id, reason }));
dispatcher.on('error', ({ error, during }) =>
  send({ e: 'error', during, reason: String(error).slice(0, 300) }),
);

process.on('message', (message: { cmd?: string; id?: string; leaseToken?: number }) => {
  if (message.cmd !== 'staleSettle' || !message.id || message.leaseToken === undefined) return;
  const settlement = {
    id: message.id,
    leaseToken: message.leaseToken,
    outcome: 'completed' as const,
    result: { worker: spec.name, stale: true },
  };
  const write = store.settle ? store.settle([settlement]) : Promise.reject(new Error('store has no settle'));
  write.then(
    (results) => send({ e: 'staleSettle', id: message.id, ok: results[0]?.ok ?? null }),
    (error) => send({ e: 'staleSettle', id: message.id, ok: null, reason: String(error) }),
  );
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await dispatcher.stop({ graceMs: 1_000 });
    await handles.close().catch(() => {});
    await closeLedger().catch(() => {});
    process.exit(0);
  })();
});

await dispatcher.start();
send({ e: 'ready' });
