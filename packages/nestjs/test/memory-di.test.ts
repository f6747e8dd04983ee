import { JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { JOBSERVICE_QUEUE, JOBSERVICE_STORE, JobServiceModule } from '../src/index.js';
import { GreetCallback, Greeter, GreeterModule, WelcomeService } from './fixtures.js';

let app: TestingModule | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('JobServiceModule on the memory store', () => {
  it('runs an @Injectable() callback with its constructor dependency from the container', async () => {
    const store = new MemoryDocumentProvider();
    const moduleRef = await Test.createTestingModule({
      imports: [
        GreeterModule,
        JobServiceModule.forRoot({
          store,
          callbacks: [GreetCallback],
          imports: [GreeterModule],
          dispatcher: { idlePollMs: 20 },
        }),
      ],
      providers: [WelcomeService],
    }).compile();
    app = await moduleRef.init();

    const welcome = app.get(WelcomeService);
    const manager = app.get(JobManager);
    expect(welcome.jobs).toBe(manager); // one manager, injected by class
    expect(app.get(JOBSERVICE_STORE)).toBe(store);
    expect(app.get(JOBSERVICE_QUEUE)).toBeNull();

    const ids = await Promise.all(['ada', 'grace', 'linus'].map((name) => welcome.welcome(name)));
    const results = await Promise.all(ids.map((id) => manager.waitFor<typeof GreetCallback>(id)));
    const greeter = app.get(Greeter);
    expect(results).toEqual([
      { text: 'hello, ada', greeter: greeter.id },
      { text: 'hello, grace', greeter: greeter.id },
      { text: 'hello, linus', greeter: greeter.id },
    ]);
    expect(app.get(JobDispatcher).state).toBe('running');
  });

  it('takes a callback dependency from the providers option', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        JobServiceModule.forRoot({
          store: new MemoryDocumentProvider(),
          callbacks: [GreetCallback],
          providers: [Greeter],
          dispatcher: { idlePollMs: 20 },
        }),
      ],
    }).compile();
    app = await moduleRef.init();
    const manager = app.get(JobManager);
    const { id } = await manager.enqueue(GreetCallback, { name: 'ada' });
    await expect(manager.waitFor(id)).resolves.toMatchObject({ text: 'hello, ada' });
  });

  it('is producer-only with dispatcher: false', async () => {
    const store = new MemoryDocumentProvider();
    const moduleRef = await Test.createTestingModule({
      imports: [
        JobServiceModule.forRoot({
          store,
          callbacks: [GreetCallback],
          dispatcher: false,
          providers: [Greeter],
        }),
      ],
    }).compile();
    app = await moduleRef.init();
    expect(app.get(JobDispatcher)).toBeNull();
    const { id } = await app.get(JobManager).enqueue(GreetCallback, { name: 'ada' });
    expect((await store.get(id))?.status).toBe('scheduled');
  });
});
