/**
 * A worker process: claims and runs jobs until SIGINT/SIGTERM, then stops
 * gracefully (running jobs get 10 s; the rest are released to other workers).
 *
 *   WORKER_NAME=w1 CONCURRENCY=20 npm run worker
 */
import { JobDispatcher } from '@jobservice/core';
import { connect } from './config.js';
import { ResizeImage, SendReceipt, WORKER } from './jobs.js';

const postgres = connect();
await postgres.ready();
const dispatcher = new JobDispatcher({
  store: postgres,
  queue: postgres,
  callbacks: [ResizeImage, SendReceipt],
  concurrency: Number(process.env.CONCURRENCY ?? 10),
  workerId: WORKER,
});
let completed = 0;
dispatcher.on('completed', () => completed++);
dispatcher.on('retrying', ({ job, error }) =>
  console.log(`[${WORKER}] retrying ${job.id}: ${error.message}`),
);
dispatcher.on('error', ({ error, during }) => console.error(`[${WORKER}] ${during}:`, error));

async function shutdown() {
  await dispatcher.stop({ graceMs: 10_000 });
  await postgres.close();
  console.log(`[${WORKER}] stopped after completing ${completed} jobs`);
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

await dispatcher.start();
console.log(`[${WORKER}] running (schema ${postgres.schema})`);
