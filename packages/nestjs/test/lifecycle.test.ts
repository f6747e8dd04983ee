import {
  BaseJobCallback,
  JobCallbackName,
  type JobContext,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
} from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { JobServiceModule } from '../src/index.js';

/** Lets the test decide when a running job may finish. */
@Injectable()
class Gate {
  private opened!: () => void;
  readonly open = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  release(): void {
    this.opened();
  }
}

@Injectable()
@JobCallbackName('gated')
class Gated extends BaseJobCallback<{ n: number }, { n: number }> {
  constructor(private readonly gate: Gate) {
    super();
  }

  async execute(ctx: JobContext<{ n: number }>) {
    const aborted = new Promise<never>((_, reject) =>
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
    );
    await Promise.race([this.gate.open, aborted]);
    return JobExecutionResult.success({ n: this.metadata.n });
  }
}

async function boot(store: MemoryDocumentProvider, graceMs: number, closeProviders?: boolean) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      JobServiceModule.forRoot({
        store,
        callbacks: [Gated],
        providers: [Gate],
        dispatcher: { idlePollMs: 20, graceMs },
        closeProviders,
      }),
    ],
  }).compile();
  return moduleRef.init();
}

async function startedJob(dispatcher: JobDispatcher, manager: JobManager): Promise<string> {
  const started = new Promise<string>((resolve) => dispatcher.once('started', ({ job }) => resolve(job.id)));
  const { id } = await manager.enqueue(Gated, { n: 1 });
  expect(await started).toBe(id);
  return id;
}

describe('lifecycle', () => {
  it('starts on bootstrap; close lets a running job finish, then nothing is running', async () => {
    const store = new MemoryDocumentProvider();
    const app = await boot(store, 60_000);
    const dispatcher = app.get(JobDispatcher);
    expect(dispatcher.state).toBe('running');
    const id = await startedJob(dispatcher, app.get(JobManager));

    const closing = app.close();
    await eventually(() => dispatcher.state === 'stopping', 15_000, 'the dispatcher to be stopping');
    app.get(Gate).release(); // the job finishes within the grace period
    await closing;

    expect(dispatcher.state).toBe('stopped');
    expect((await store.get(id))?.status).toBe('completed');
    expect((await store.query({ statuses: ['running'] })).items).toEqual([]);
  });

  it('releases a job still running when the grace period ends, without spending its attempt', async () => {
    const store = new MemoryDocumentProvider();
    const app = await boot(store, 0);
    const dispatcher = app.get(JobDispatcher);
    const released = new Promise<string>((resolve) =>
      dispatcher.once('released', ({ job }) => resolve(job.id)),
    );
    const id = await startedJob(dispatcher, app.get(JobManager));

    await app.close();
    expect(await released).toBe(id);
    const job = await store.get(id);
    expect(job).toMatchObject({ status: 'scheduled', attempt: 0 });
    expect((await store.query({ statuses: ['running'] })).items).toEqual([]);
  });

  it('closes the store only when it owns it', async () => {
    const yours = new MemoryDocumentProvider();
    const closeYours = vi.spyOn(yours, 'close');
    await (await boot(yours, 0)).close();
    expect(closeYours).not.toHaveBeenCalled(); // forRoot: you built it, you close it

    const handedOver = new MemoryDocumentProvider();
    const closeHandedOver = vi.spyOn(handedOver, 'close');
    await (await boot(handedOver, 0, true)).close();
    expect(closeHandedOver).toHaveBeenCalledTimes(1);
  });
});
