import { JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { BuildReport, ChargeCard, SendWelcomeEmail } from './callbacks.js';
import { printSummary, printTransitions } from './print.js';

const callbacks = [SendWelcomeEmail, BuildReport, ChargeCard];
const store = new MemoryDocumentProvider();
const queue = new ChannelQueueProvider();
const manager = new JobManager({ store, queue, callbacks });
const dispatcher = new JobDispatcher({ store, queue, callbacks, concurrency: 4 });
printTransitions(dispatcher);

console.log('jobservice quickstart: memory store + channel queue\n');
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
await queue.close();
await store.close();
