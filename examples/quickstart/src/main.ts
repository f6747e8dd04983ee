import { join, resolve } from 'node:path';
import { JobDispatcher, JobManager, silentLogger } from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { BuildReport, ChargeCard, SendWelcomeEmail } from './callbacks.js';
import { printSummary, printTransitions } from './print.js';

const callbacks = [SendWelcomeEmail, BuildReport, ChargeCard];
// The embedded default: jobs live in a folder (durable, crash-safe), bells in process.
const dataDir = resolve(process.env.JOBSERVICE_DATA ?? '.jobservice-data/quickstart');
// `jobs/` inside it, as the CLI and the dashboard open `fs:<folder>` (`npm run dashboard`).
const store = await FileSystemDocumentProvider.open({ root: join(dataDir, 'jobs'), logger: silentLogger });
const queue = new ChannelQueueProvider();
const manager = new JobManager({ store, queue, callbacks });
const dispatcher = new JobDispatcher({ store, queue, callbacks, concurrency: 4 });
printTransitions(dispatcher);

console.log('jobservice quickstart: file-system store + channel queue');
console.log(`data folder: ${dataDir}`);
const earlier = await manager.list({ limit: 1000 });
console.log(
  earlier.items.length === 0
    ? 'no jobs from earlier runs: this is the first\n'
    : `${earlier.items.length} job(s) from earlier runs are still in the store (run again to see them grow)\n`,
);
await dispatcher.start();

const results = await manager.enqueueMany([
  { callback: SendWelcomeEmail, metadata: { to: 'ada@example.com' } },
  { callback: SendWelcomeEmail, metadata: { to: 'grace@example.com' } },
  { callback: BuildReport, metadata: { month: '2026-10', rows: 1_234 }, options: { priority: 5 } },
  { callback: ChargeCard, metadata: { orderId: 'A-1001', cents: 4_999, card: '4242424242424242' } },
  { callback: ChargeCard, metadata: { orderId: 'A-1002', cents: 1_250, card: '4000000000000002' } },
]);
const ids = results.map((r) => r.id);

await Promise.allSettled(ids.map((id) => manager.waitFor(id)));
await dispatcher.stop();

const jobs = await Promise.all(ids.map((id) => manager.get(id)));
printSummary(jobs.filter((job) => job !== null));
console.log('\nsee them in the dashboard: npm run dashboard (http://127.0.0.1:8080/)');
await queue.close();
await store.close();
