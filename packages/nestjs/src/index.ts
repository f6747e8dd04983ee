/**
 * @jobservice/nestjs: the jobservice module for NestJS. Callbacks are
 * injectable providers resolved per attempt, `JobManager` is injectable
 * anywhere, and the dispatcher follows the application's lifecycle.
 */
export { callbackProvider, nestCallbackFactory, withCallbackProviders } from './callback-factory.js';
export { JobServiceModule } from './job-service.module.js';
export { JobServiceLifecycle } from './lifecycle.js';
export type {
  JobServiceDispatcherOptions,
  JobServiceManagerOptions,
  JobServiceModuleAsyncOptions,
  JobServiceModuleOptions,
  JobServiceRuntimeOptions,
  ResolvedJobServiceOptions,
} from './options.js';
export { JOBSERVICE_OPTIONS, JOBSERVICE_QUEUE, JOBSERVICE_STORE } from './tokens.js';
