/**
 * One worker process: a dispatcher on the PostgreSQL store, woken by the
 * RabbitMQ doorbell. Settings come as JSON in `MIX_CONFIG`; SIGTERM stops it
 * gracefully.
 */
import { JobDispatcher } from '@jobservice/core';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { RabbitMqQueueProvider } from '@jobservice/provider-rabbitmq';
import type { MixConfig } from './config.js';
import { RenderInvoiceJob } from './jobs.js';

const config = JSON.parse(process.env.MIX_CONFIG ?? '{}') as MixConfig;
const store = new PostgresProvider({
  connectionString: config.databaseUrl,
  schema: config.schema,
  migrate: false,
});
const queue = await RabbitMqQueueProvider.connect({ url: config.amqpUrl, prefix: config.prefix });
const dispatcher = new JobDispatcher({ store, queue, callbacks: [RenderInvoiceJob], concurrency: 4 });
dispatcher.on('error', ({ error, during }) =>
  console.error(`[${process.env.WORKER_NAME}] ${during}:`, error),
);

process.once('SIGTERM', async () => {
  await dispatcher.stop({ graceMs: 5_000 });
  await queue.close();
  await store.close();
  process.exit(0);
});
await dispatcher.start();
process.send?.('ready');
