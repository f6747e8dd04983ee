import { describe, expect, it } from 'vitest';
import {
  BaseJobCallback,
  type Bell,
  type BellHandler,
  type ClaimRequest,
  type IQueueProvider,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
  type SubscribeOptions,
} from '../src/index.js';
import { delegatingStore } from '../src/testing/index.js';

class Noop extends BaseJobCallback {
  static jobName = 'noop';
  execute() {
    return JobExecutionResult.success();
  }
}

/** A queue that hands the test the dispatcher's bell handler and the options it subscribed with. */
class CapturingQueue implements IQueueProvider {
  readonly providerName = 'capturing';
  handler: BellHandler | undefined;
  options: SubscribeOptions | undefined;
  async enqueue(_bells: readonly Bell[]): Promise<void> {}
  async subscribe(handler: BellHandler, options?: SubscribeOptions) {
    this.handler = handler;
    this.options = options;
    return { unsubscribe: async () => {} };
  }
  async close(): Promise<void> {}
}

describe('the dispatcher’s bell handler', () => {
  it('settles once the claim the bell caused has come back, and says its capacity', async () => {
    const memory = new MemoryDocumentProvider();
    let openGate = () => {};
    let gated = false;
    const claims: number[] = [];
    const store = delegatingStore(memory, {
      claim: async (request: ClaimRequest) => {
        claims.push(request.limit);
        if (gated) await new Promise<void>((resolve) => (openGate = resolve));
        return memory.claim(request);
      },
    });
    const queue = new CapturingQueue();
    const dispatcher = new JobDispatcher({
      store,
      queue,
      callbacks: [Noop],
      concurrency: 3,
      prefetch: 2,
      idlePollMs: 60_000,
    });
    await dispatcher.start();
    await dispatcher.drain();
    expect(queue.options).toMatchObject({ names: ['noop'], capacity: 5 });

    const { id } = await new JobManager({ store: memory, callbacks: [Noop] }).enqueue(Noop, {});
    gated = true;
    let answered = false;
    const answer = queue.handler?.({ id, name: 'noop' });
    expect(answer).toBeInstanceOf(Promise);
    void (answer as Promise<void>).then(() => {
      answered = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false); // the claim is held at the gate
    gated = false;
    openGate();
    await answer;
    expect(answered).toBe(true);
    await dispatcher.drain();
    expect((await memory.get(id))?.status).toBe('completed');
    await dispatcher.stop();
  });

  it('settles at once when the dispatcher has stopped', async () => {
    const queue = new CapturingQueue();
    const dispatcher = new JobDispatcher({ store: new MemoryDocumentProvider(), queue, callbacks: [Noop] });
    await dispatcher.start();
    const handler = queue.handler as BellHandler;
    await dispatcher.stop();
    await expect(handler({ id: 'x', name: 'noop' })).resolves.toBeUndefined();
  });
});
