import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { getJobName, JobManager } from '@jobservice/core';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { RabbitMqQueueProvider } from '@jobservice/provider-rabbitmq';
import pg from 'pg';
import { configFromEnv, type MixConfig } from './config.js';
import { type RenderInvoice, RenderInvoiceJob } from './jobs.js';

/** What the demo saw: which worker rendered each order. */
export interface DemoResult {
  byWorker: Record<string, string[]>;
  delayedRanAfterMs: number;
}

/**
 * Migrates a fresh schema, starts two worker processes, enqueues twelve
 * invoices (one of them delayed 1.5 s), waits for every result, prints it,
 * stops the workers and removes the schema and the queues.
 */
export async function runDemo(log: (line: string) => void = console.log): Promise<DemoResult> {
  const config = configFromEnv(randomBytes(4).toString('hex'));
  const store = new PostgresProvider({ connectionString: config.databaseUrl, schema: config.schema });
  await store.ready();
  const queue = await RabbitMqQueueProvider.connect({ url: config.amqpUrl, prefix: config.prefix });
  const workers: ChildProcess[] = [];
  try {
    for (const name of ['worker-a', 'worker-b']) workers.push(await startWorker(name, config));
    log(`[demo] store: PostgreSQL schema ${config.schema}; doorbell: RabbitMQ prefix ${config.prefix}`);
    const manager = new JobManager({ store, queue, callbacks: [RenderInvoiceJob] });
    const orders: RenderInvoice[] = Array.from({ length: 12 }, (_, i) => ({
      orderId: `A-${100 + i}`,
      pages: 1 + (i % 4),
    }));
    const enqueuedAt = Date.now();
    const ids = await Promise.all(
      orders.map((order, i) => manager.enqueue(RenderInvoiceJob, order, i === 0 ? { delayMs: 1_500 } : {})),
    );
    const byWorker: Record<string, string[]> = {};
    let delayedRanAfterMs = 0;
    for (const [i, { id }] of ids.entries()) {
      const result = await manager.waitFor<typeof RenderInvoiceJob>(id);
      if (!result) throw new Error(`job ${id} completed without a result`);
      byWorker[result.worker] = [...(byWorker[result.worker] ?? []), result.orderId];
      if (i === 0) delayedRanAfterMs = ((await manager.get(id))?.startedAt ?? 0) - enqueuedAt;
    }
    for (const [worker, list] of Object.entries(byWorker))
      log(`[demo] ${worker} rendered ${list.join(', ')}`);
    log(`[demo] the delayed invoice started ${delayedRanAfterMs} ms after it was enqueued (asked: 1500)`);
    return { byWorker, delayedRanAfterMs };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await queue.deleteTopology([getJobName(RenderInvoiceJob)]).catch(() => {});
    await queue.close();
    await store.close();
    await dropSchema(config);
  }
}

function startWorker(name: string, config: MixConfig): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), {
    env: { ...process.env, WORKER_NAME: name, MIX_CONFIG: JSON.stringify(config) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function dropSchema(config: MixConfig): Promise<void> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${config.schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
