import { type JobCallbackClass, JobDispatcher, JobManager } from '@jobservice/core';
import { type DynamicModule, Logger, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { nestCallbackFactory, withCallbackProviders } from './callback-factory.js';
import { JobServiceLifecycle } from './lifecycle.js';
import {
  callbackClasses,
  type JobServiceModuleAsyncOptions,
  type JobServiceModuleOptions,
  type ResolvedJobServiceOptions,
  resolveModuleOptions,
} from './options.js';
import { JOBSERVICE_OPTIONS, JOBSERVICE_QUEUE, JOBSERVICE_STORE } from './tokens.js';

/**
 * The jobservice module for NestJS, global once imported:
 *
 * - `JobManager` is injectable anywhere (by its class);
 * - `JobDispatcher` too (`null` with `dispatcher: false`), started on
 *   `onApplicationBootstrap` and stopped gracefully on
 *   `beforeApplicationShutdown` (see {@link JobServiceLifecycle});
 * - the store and the queue under {@link JOBSERVICE_STORE} and
 *   {@link JOBSERVICE_QUEUE};
 * - each class in `callbacks` is registered as a transient provider and
 *   resolved from the container for every attempt, so its constructor
 *   dependencies come from Nest (request-scoped ones anew per attempt).
 *
 * Options are checked while the app boots: a missing store or a callback
 * without `@JobCallbackName` fails `init()` with core's `InvalidInputError`.
 *
 * @example
 * ‍@Module({
 *   imports: [JobServiceModule.forRoot({ store: new MemoryDocumentProvider(), callbacks: [SendWelcome] })],
 *   providers: [Mailer],
 * })
 * class AppModule {}
 */
export class JobServiceModule {
  /**
   * Configures the module with a store (and queue) you built. You own
   * them: they are not closed at shutdown unless `closeProviders: true`.
   */
  static forRoot(options: JobServiceModuleOptions): DynamicModule {
    const callbacks = options?.callbacks;
    const { imports, providers, ...runtime } = options ?? ({} as Partial<JobServiceModuleOptions>);
    return JobServiceModule.build(callbacks, imports, providers, {
      provide: JOBSERVICE_OPTIONS,
      useFactory: () => resolveModuleOptions(runtime as JobServiceModuleOptions, callbacks, false),
    });
  }

  /**
   * Configures the module from a factory run while the app boots (config
   * from a `ConfigService`, a store opened asynchronously). The module owns
   * what the factory returns: the store and the queue are closed at
   * `onApplicationShutdown` unless the factory says `closeProviders: false`.
   * `callbacks` stay static: Nest registers providers before factories run.
   */
  static forRootAsync(options: JobServiceModuleAsyncOptions): DynamicModule {
    const callbacks = options?.callbacks;
    const useFactory = options?.useFactory;
    return JobServiceModule.build(callbacks, options?.imports, options?.providers, {
      provide: JOBSERVICE_OPTIONS,
      // biome-ignore lint/suspicious/noExplicitAny: whatever `inject` resolves
      useFactory: async (...args: any[]) => {
        if (typeof useFactory !== 'function') return resolveModuleOptions(undefined, callbacks, true);
        return resolveModuleOptions(await useFactory(...args), callbacks, true);
      },
      inject: options?.inject ?? [],
    });
  }

  private static build(
    callbacks: readonly JobCallbackClass[],
    imports: DynamicModule['imports'],
    extra: Provider[] | undefined,
    optionsProvider: Provider,
  ): DynamicModule {
    const exported = [JobManager, JobDispatcher, JOBSERVICE_STORE, JOBSERVICE_QUEUE, JOBSERVICE_OPTIONS];
    return {
      module: JobServiceModule,
      global: true,
      imports: imports ?? [],
      providers: [
        optionsProvider,
        ...coreProviders(),
        ...withCallbackProviders(callbackClasses(callbacks), extra ?? []),
      ],
      exports: [...exported, JobServiceLifecycle],
    };
  }
}

function coreProviders(): Provider[] {
  return [
    {
      provide: JOBSERVICE_STORE,
      useFactory: (o: ResolvedJobServiceOptions) => o.store,
      inject: [JOBSERVICE_OPTIONS],
    },
    {
      provide: JOBSERVICE_QUEUE,
      useFactory: (o: ResolvedJobServiceOptions) => o.queue ?? null,
      inject: [JOBSERVICE_OPTIONS],
    },
    {
      provide: JobManager,
      useFactory: (o: ResolvedJobServiceOptions) =>
        new JobManager({ ...o.manager, store: o.store, queue: o.queue, callbacks: o.callbacks }),
      inject: [JOBSERVICE_OPTIONS],
    },
    {
      provide: JobDispatcher,
      useFactory: (o: ResolvedJobServiceOptions, moduleRef: ModuleRef) => createDispatcher(o, moduleRef),
      inject: [JOBSERVICE_OPTIONS, ModuleRef],
    },
    {
      provide: JobServiceLifecycle,
      useFactory: (o: ResolvedJobServiceOptions, dispatcher: JobDispatcher | null) =>
        new JobServiceLifecycle(o, dispatcher),
      inject: [JOBSERVICE_OPTIONS, JobDispatcher],
    },
  ];
}

function createDispatcher(o: ResolvedJobServiceOptions, moduleRef: ModuleRef): JobDispatcher | null {
  if (o.dispatcher === false) return null;
  const dispatcher = new JobDispatcher({
    ...o.dispatcher,
    store: o.store,
    queue: o.queue,
    callbacks: o.callbacks,
    callbackFactory: nestCallbackFactory(moduleRef),
  });
  if (!o.dispatcher?.logger) {
    // The loop never throws; without a logger of yours its failures go to Nest's logger.
    const logger = new Logger('JobDispatcher');
    dispatcher.on('error', ({ error, during }) =>
      logger.error(`${during}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return dispatcher;
}
