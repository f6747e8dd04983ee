import { describe, expect, it } from 'vitest';
import {
  BaseJobCallback,
  type CallbackFactory,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
} from '../src/index.js';

class Greeter {
  constructor(readonly greeting: string) {}
}

class Greet extends BaseJobCallback<{ name: string }, string> {
  static jobName = 'greet';
  constructor(private readonly greeter: Greeter) {
    super();
  }
  async execute() {
    return JobExecutionResult.success(`${this.greeter.greeting}, ${this.metadata.name}`);
  }
}

function setup(factory: CallbackFactory) {
  const store = new MemoryDocumentProvider();
  const manager = new JobManager({ store, callbacks: [Greet] });
  const dispatcher = new JobDispatcher({ store, callbacks: [Greet], callbackFactory: factory });
  return { store, manager, dispatcher };
}

describe('callbackFactory', () => {
  it('may resolve the instance asynchronously, once per attempt', async () => {
    let built = 0;
    const { manager, dispatcher } = setup(async (Callback, job) => {
      await new Promise((resolve) => setImmediate(resolve));
      built++;
      expect(Callback).toBe(Greet);
      return new Greet(new Greeter(`hello #${job.attempt}`));
    });
    const a = await manager.enqueue(Greet, { name: 'Ada' });
    const b = await manager.enqueue(Greet, { name: 'Alan' });
    await dispatcher.start();
    expect(await manager.waitFor(a.id)).toBe('hello #1, Ada');
    expect(await manager.waitFor(b.id)).toBe('hello #1, Alan');
    await dispatcher.stop();
    expect(built).toBe(2);
  });

  it('fails the attempt like a thrown error when it rejects or throws, and retries per policy', async () => {
    let calls = 0;
    const { manager, dispatcher } = setup((_Callback, job) => {
      calls++;
      if (job.attempt === 1) throw new Error('container not ready');
      if (job.attempt === 2) return Promise.reject(new Error('scope failed'));
      return new Greet(new Greeter('hi'));
    });
    const errors: string[] = [];
    dispatcher.on('retrying', ({ error }) => errors.push(error.message));
    const { id } = await manager.enqueue(
      Greet,
      { name: 'Grace' },
      { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } },
    );
    await dispatcher.drain();
    await dispatcher.stop();
    expect(errors).toEqual(['container not ready', 'scope failed']);
    expect(calls).toBe(3);
    expect(await manager.get(id)).toMatchObject({ status: 'completed', result: 'hi, Grace', attempt: 3 });
  });
});
