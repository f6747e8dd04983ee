/**
 * `npm start -w examples/flow-control`: per-tenant concurrency keys and a
 * rate-limited external call on the embedded default (file-system store +
 * channel queue, no server), every start and end printed with its time.
 */
import { join, resolve } from 'node:path';
import { silentLogger } from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { PARTNER_RATE, TENANT_LIMIT } from './callbacks.js';
import { busiestWindow, peakOverlap, runDemo } from './demo.js';

const dataDir = resolve(process.env.JOBSERVICE_DATA ?? '.jobservice-data/flow-control');
const store = await FileSystemDocumentProvider.open({ root: join(dataDir, 'jobs'), logger: silentLogger });
const queue = new ChannelQueueProvider();

console.log('jobservice flow control: file-system store + channel queue');
console.log(`data folder: ${dataDir}`);
console.log(
  `tenants A and B: 3 exports each, concurrencyKey tenant:<id>, limit ${TENANT_LIMIT}; ` +
    `12 invoices to the partner API, rateLimit ${PARTNER_RATE.max} per ${PARTNER_RATE.perMs} ms; ` +
    'one dispatcher, 4 slots\n',
);

const { tally, exports, invoices } = await runDemo({ store, queue });

for (const event of tally.events) {
  console.log(`${String(event.at).padStart(6)} ms  ${event.kind.padEnd(5)}  ${event.what}`);
}

console.log('\nper tenant, most exports running at once:');
const stored = peakOverlap(exports, (job) => job.concurrencyKey ?? '');
for (const [tenant, peak] of tally.peak) {
  console.log(
    `  ${tenant}: ${peak} (handlers), ${stored.get(`tenant:${tenant}`)} (store's startedAt–finishedAt)`,
  );
}

// The store's start times (written by the claim that took the window's slot); the handlers' clock reads lag them by a few ms.
const starts = invoices.map((job) => job.startedAt ?? Number.NaN).sort((a, b) => a - b);
console.log(
  `\ninvoice starts (store clock) in windows of ${PARTNER_RATE.perMs} ms, each opened by the first start after the last window:`,
);
const windows: number[][] = [];
for (const at of starts) {
  const current = windows[windows.length - 1];
  if (current && at - (current[0] as number) < PARTNER_RATE.perMs) current.push(at);
  else windows.push([at]);
}
const began = starts[0] ?? 0;
for (const calls of windows) {
  const from = (calls[0] as number) - began;
  console.log(`  from +${String(from).padStart(5)} ms: ${'#'.repeat(calls.length)} ${calls.length}`);
}
console.log(
  `busiest sliding ${PARTNER_RATE.perMs} ms window of the store's start times: ${busiestWindow(starts, PARTNER_RATE.perMs)} ` +
    `(limit ${PARTNER_RATE.max})`,
);

await queue.close();
await store.close();
