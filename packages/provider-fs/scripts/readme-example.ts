// The README's example, runnable: node --import tsx packages/provider-fs/scripts/readme-example.ts
import {
  BaseJobCallback,
  JobCallbackName,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
} from '@jobservice/core';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '../src/index.js';

@JobCallbackName('send-email')
class SendEmail extends BaseJobCallback<{ to: string }, { sent: boolean }> {
  async execute() {
    console.log(`sending to ${this.metadata.to}`);
    return JobExecutionResult.success({ sent: true });
  }
}

const store = await FileSystemDocumentProvider.open({ root: '.jobservice-data/jobs' });
const queue = await FileSystemQueueProvider.open({ root: '.jobservice-data/bells' });
const manager = new JobManager({ store, queue, callbacks: [SendEmail] });
const dispatcher = new JobDispatcher({ store, queue, callbacks: [SendEmail] });
await dispatcher.start();

const { id } = await manager.enqueue(SendEmail, { to: 'ada@example.com' });
console.log(await manager.waitFor(id)); // { sent: true }

await dispatcher.stop();
await queue.close();
await store.close();
