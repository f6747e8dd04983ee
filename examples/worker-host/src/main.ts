import {
  type IDocumentDataProvider,
  JobDispatcher,
  JobManager,
  MemoryDocumentProvider,
} from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { readConfig } from './config.js';
import { ResizeImage } from './resize-image.js';

const config = readConfig(process.env);
const store: IDocumentDataProvider =
  config.store === 'fs'
    ? await FileSystemDocumentProvider.open({ root: config.storeRoot })
    : new MemoryDocumentProvider();
const queue = new ChannelQueueProvider();
const callbacks = [ResizeImage];
const dispatcher = new JobDispatcher({ store, queue, callbacks, concurrency: config.concurrency });
const manager = new JobManager({ store, queue, callbacks });

let completed = 0;
dispatcher.on('completed', () => completed++);
dispatcher.on('released', ({ job }) => console.log(`released ${job.id} for another worker`));
dispatcher.on('error', ({ error, during }) => console.error(`error during ${during}:`, error));

await dispatcher.start();
console.log(
  `worker ready: ${config.store} store, concurrency ${config.concurrency}, grace ${config.graceMs} ms, pid ${process.pid}`,
);

let n = 0;
const producer =
  config.demoRate > 0
    ? setInterval(() => {
        n++;
        void manager.enqueue(ResizeImage, { image: `photo-${n}.jpg`, ms: config.jobMs });
      }, 1_000 / config.demoRate)
    : undefined;

let signals = 0;
async function onSignal(signal: NodeJS.Signals): Promise<void> {
  signals++;
  if (signals > 1) {
    console.log(`${signal} again: forcing exit with ${dispatcher.activeCount} job(s) still running`);
    process.exit(130);
  }
  console.log(`${signal}: stopping, running jobs get ${config.graceMs} ms to finish (signal again to force)`);
  clearInterval(producer);
  await dispatcher.stop({ graceMs: config.graceMs });
  await queue.close();
  await store.close();
  console.log(`stopped cleanly after ${completed} completed job(s)`);
  process.exit(0);
}
process.on('SIGINT', (s) => void onSignal(s));
process.on('SIGTERM', (s) => void onSignal(s));
