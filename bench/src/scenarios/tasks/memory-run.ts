import { MemoryDocumentProvider } from '@jobservice/core';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { type InProcessRun, runInProcess } from './in-process-run.js';

/** Memory store + channel queue, in this (fresh) process. */
export async function memoryThroughput(args: {
  jobs: number;
  concurrency: number;
  prefetch: number;
}): Promise<InProcessRun> {
  const store = new MemoryDocumentProvider();
  const queue = new ChannelQueueProvider();
  try {
    return await runInProcess(store, queue, args);
  } finally {
    await queue.close();
    await store.close();
  }
}
