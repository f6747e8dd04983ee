import {
  BaseJobCallback,
  JobCallbackName,
  type JobDocument,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
} from '@jobservice/core';
import { type INestApplicationContext, Inject, Injectable, Scope } from '@nestjs/common';
import { NestFactory, REQUEST } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { JobServiceModule } from '../src/index.js';
import { Greeter } from './fixtures.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Request-scoped: built once per attempt; sees the attempt's job as its request. */
@Injectable({ scope: Scope.REQUEST })
class AttemptAudit {
  static constructed = 0;
  readonly serial = ++AttemptAudit.constructed;
  // Property injection: biome does not parse parameter decorators here.
  @Inject(REQUEST) readonly job!: JobDocument;
}

/** Transient: a new one for every injection. */
@Injectable({ scope: Scope.TRANSIENT })
class Scratch {
  static constructed = 0;
  readonly serial = ++Scratch.constructed;
}

@Injectable()
@JobCallbackName('audited')
class Audited extends BaseJobCallback<
  { n: number },
  { audit: number; scratch: number; jobId: string; hello: string }
> {
  constructor(
    private readonly audit: AttemptAudit,
    private readonly scratch: Scratch,
    private readonly greeter: Greeter,
  ) {
    super();
  }

  async execute() {
    return JobExecutionResult.success({
      audit: this.audit.serial,
      scratch: this.scratch.serial,
      jobId: this.audit.job.id,
      hello: this.greeter.greet(String(this.metadata.n)),
    });
  }
}

describe('scoped dependencies', () => {
  it('builds request- and transient-scoped dependencies anew for every attempt', async () => {
    app = await NestFactory.createApplicationContext(
      JobServiceModule.forRoot({
        store: new MemoryDocumentProvider(),
        callbacks: [Audited],
        providers: [AttemptAudit, Scratch, Greeter],
        dispatcher: { concurrency: 1, idlePollMs: 20 },
      }),
      { logger: false },
    );
    await app.init();
    const manager = app.get(JobManager);
    const before = { audit: AttemptAudit.constructed, scratch: Scratch.constructed };

    const results = [];
    for (const n of [1, 2, 3]) {
      const { id } = await manager.enqueue(Audited, { n });
      results.push({ id, result: (await manager.waitFor<typeof Audited>(id))! });
    }

    expect(AttemptAudit.constructed - before.audit).toBe(3);
    expect(Scratch.constructed - before.scratch).toBe(3);
    expect(new Set(results.map((r) => r.result.audit)).size).toBe(3);
    expect(new Set(results.map((r) => r.result.scratch)).size).toBe(3);
    for (const { id, result } of results) expect(result.jobId).toBe(id); // REQUEST is the attempt's job
    expect(results.map((r) => r.result.hello)).toEqual(['hello, 1', 'hello, 2', 'hello, 3']);
  });

  it('gives concurrent attempts of one callback their own instance and metadata', async () => {
    app = await NestFactory.createApplicationContext(
      JobServiceModule.forRoot({
        store: new MemoryDocumentProvider(),
        callbacks: [Audited],
        providers: [AttemptAudit, Scratch, Greeter],
        dispatcher: { concurrency: 8, idlePollMs: 20 },
      }),
      { logger: false },
    );
    await app.init();
    const manager = app.get(JobManager);
    const ns = [1, 2, 3, 4, 5, 6, 7, 8];
    const ids = await Promise.all(ns.map(async (n) => (await manager.enqueue(Audited, { n })).id));
    const results = await Promise.all(ids.map((id) => manager.waitFor<typeof Audited>(id)));
    expect(results.map((r) => r!.hello)).toEqual(ns.map((n) => `hello, ${n}`));
  });

  it('uses a factory provider you give for a callback, still one instance per attempt', async () => {
    const instances = new Set<unknown>();
    @JobCallbackName('factory-built')
    class FactoryBuilt extends BaseJobCallback<{ n: number }, { hello: string }> {
      constructor(private readonly greeter: Greeter) {
        super();
      }
      async execute() {
        instances.add(this);
        return JobExecutionResult.success({ hello: this.greeter.greet(String(this.metadata.n)) });
      }
    }
    app = await NestFactory.createApplicationContext(
      JobServiceModule.forRoot({
        store: new MemoryDocumentProvider(),
        callbacks: [FactoryBuilt],
        providers: [
          Greeter,
          {
            provide: FactoryBuilt,
            useFactory: (greeter: Greeter) => new FactoryBuilt(greeter),
            inject: [Greeter],
          },
        ],
        dispatcher: { idlePollMs: 20 },
      }),
      { logger: false },
    );
    await app.init();
    const manager = app.get(JobManager);
    for (const n of [1, 2, 3]) {
      const { id } = await manager.enqueue(FactoryBuilt, { n });
      expect(await manager.waitFor(id)).toEqual({ hello: `hello, ${n}` });
    }
    expect(instances.size).toBe(3);
  });
});
