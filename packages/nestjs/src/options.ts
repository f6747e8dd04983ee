import {
  CallbackRegistry,
  type IDocumentDataProvider,
  InvalidInputError,
  type IQueueProvider,
  type JobCallbackClass,
  type JobDispatcherOptions,
  type JobManagerOptions,
} from '@jobservice/core';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Provider } from '@nestjs/common';

/**
 * Dispatcher settings the module passes through to `new JobDispatcher(…)`.
 * `store`, `queue` and `callbacks` come from the module options, and
 * `callbackFactory` is the module's own (it builds callbacks from Nest's
 * container).
 */
export type JobServiceDispatcherOptions = Omit<
  JobDispatcherOptions,
  'store' | 'queue' | 'callbacks' | 'callbackFactory'
>;

/** Manager settings the module passes through to `new JobManager(…)`. */
export type JobServiceManagerOptions = Omit<JobManagerOptions, 'store' | 'queue' | 'callbacks'>;

/** The runtime part of the options: what `forRoot` takes beside `callbacks`, and what a `forRootAsync` factory returns. */
export interface JobServiceRuntimeOptions {
  /** Where jobs live. Required. */
  store: IDocumentDataProvider;
  /** The doorbell. Optional: dispatchers also claim on their idle timer. */
  queue?: IQueueProvider;
  /**
   * The dispatcher's settings, or `false` for a producer-only app (no
   * dispatcher: the `JobDispatcher` token then resolves to `null`).
   * @default {} (a dispatcher with core's defaults)
   */
  dispatcher?: JobServiceDispatcherOptions | false;
  /** The manager's settings (`defaults`, `calendars`). */
  manager?: JobServiceManagerOptions;
  /**
   * Close the store and the queue at `onApplicationShutdown`. The module
   * owns what it created: `forRootAsync` (the factory builds them while the
   * app boots) defaults to `true`; `forRoot` (you built them before the
   * module existed) defaults to `false`.
   */
  closeProviders?: boolean;
}

/** Options of {@link JobServiceModule.forRoot}. */
export interface JobServiceModuleOptions extends JobServiceRuntimeOptions {
  /**
   * The callback classes this app runs and enqueues. Each is registered as
   * a provider of the module (a new instance per attempt), so its
   * constructor dependencies must be visible there: global modules,
   * `imports` or `providers`.
   */
  callbacks: readonly JobCallbackClass[];
  /** Modules whose exported providers the callbacks inject. */
  imports?: ModuleMetadata['imports'];
  /**
   * Extra providers registered in the module for the callbacks to inject
   * (not exported). A provider here for a callback class (a factory
   * provider, say) replaces the module's own; it is made transient (kept
   * `Scope.REQUEST` if you said so) so each attempt still gets a new instance.
   */
  providers?: Provider[];
}

/** Options of {@link JobServiceModule.forRootAsync}. */
export interface JobServiceModuleAsyncOptions {
  /** The callback classes (static: Nest registers providers before any factory runs). */
  callbacks: readonly JobCallbackClass[];
  /** Modules the factory's `inject` tokens and the callbacks' dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Extra providers registered in the module (for `inject` or the callbacks; not exported), as in `forRoot`. */
  providers?: Provider[];
  /** Tokens handed to `useFactory`, in order. */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** Builds the runtime options while the app boots (may be async: open the store here). */
  // biome-ignore lint/suspicious/noExplicitAny: Nest factories take whatever `inject` resolves
  useFactory: (...args: any[]) => JobServiceRuntimeOptions | Promise<JobServiceRuntimeOptions>;
}

/** The options the module runs with (see {@link JOBSERVICE_OPTIONS}). */
export interface ResolvedJobServiceOptions extends JobServiceRuntimeOptions {
  callbacks: readonly JobCallbackClass[];
  closeProviders: boolean;
}

/**
 * Checks the options with core's own rules, so a bad setup fails while the
 * app boots with core's typed `InvalidInputError` (`code: 'INVALID_INPUT'`,
 * `field`): a missing store, a callback without a job name, two callbacks
 * under one name.
 */
export function resolveModuleOptions(
  runtime: JobServiceRuntimeOptions | null | undefined,
  callbacks: readonly JobCallbackClass[],
  closeByDefault: boolean,
): ResolvedJobServiceOptions {
  if (!runtime || typeof runtime !== 'object') {
    throw new InvalidInputError(
      'options',
      'pass { store, callbacks, … } (a forRootAsync factory must return them)',
    );
  }
  if (!runtime.store) throw new InvalidInputError('store', 'is required: pass an IDocumentDataProvider');
  new CallbackRegistry(callbacks); // throws for a nameless callback or a duplicate name
  if (
    runtime.dispatcher !== false &&
    runtime.dispatcher !== undefined &&
    typeof runtime.dispatcher !== 'object'
  ) {
    throw new InvalidInputError('dispatcher', 'must be dispatcher options or false');
  }
  return { ...runtime, callbacks, closeProviders: runtime.closeProviders ?? closeByDefault };
}

/** The classes among `callbacks`, to register as providers (validation names the rest at boot). */
export function callbackClasses(callbacks: readonly JobCallbackClass[]): JobCallbackClass[] {
  return Array.isArray(callbacks) ? callbacks.filter((c) => typeof c === 'function') : [];
}
