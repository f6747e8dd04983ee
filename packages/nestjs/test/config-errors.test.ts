import {
  BaseJobCallback,
  type IDocumentDataProvider,
  JobExecutionResult,
  MemoryDocumentProvider,
} from '@jobservice/core';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { JobServiceModule } from '../src/index.js';
import { GreetCallback, Greeter } from './fixtures.js';

/** No @JobCallbackName, no static jobName. */
class Nameless extends BaseJobCallback {
  execute() {
    return JobExecutionResult.success();
  }
}

async function bootError(module: DynamicModule): Promise<unknown> {
  try {
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = await moduleRef.init();
    await app.close();
  } catch (error) {
    return error;
  }
  throw new Error('the app booted');
}

describe('bad configuration fails the boot with InvalidInputError', () => {
  it('refuses a missing store', async () => {
    const error = await bootError(
      JobServiceModule.forRoot({
        store: undefined as unknown as IDocumentDataProvider,
        callbacks: [GreetCallback],
        providers: [Greeter],
      }),
    );
    expect(error).toMatchObject({ name: 'InvalidInputError', code: 'INVALID_INPUT', field: 'store' });
  });

  it('refuses a callback without @JobCallbackName', async () => {
    const error = await bootError(
      JobServiceModule.forRoot({ store: new MemoryDocumentProvider(), callbacks: [Nameless] }),
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'callbacks' });
    expect((error as Error).message).toMatch(/Nameless has no job name; add @JobCallbackName/);
  });

  it('refuses a forRootAsync factory that returns no store', async () => {
    const error = await bootError(
      JobServiceModule.forRootAsync({
        callbacks: [GreetCallback],
        providers: [Greeter],
        useFactory: async () => ({ store: undefined as unknown as IDocumentDataProvider }),
      }),
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'store' });
  });

  it('refuses bad dispatcher options with the field named', async () => {
    const error = await bootError(
      JobServiceModule.forRoot({
        store: new MemoryDocumentProvider(),
        callbacks: [GreetCallback],
        providers: [Greeter],
        dispatcher: { concurrency: 0 },
      }),
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'concurrency' });
  });

  it('rejects NestFactory.createApplicationContext with the same error', async () => {
    const module = JobServiceModule.forRoot({ store: new MemoryDocumentProvider(), callbacks: [Nameless] });
    await expect(
      NestFactory.createApplicationContext(module, { logger: false, abortOnError: false }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'callbacks' });
  });
});
