/**
 * Injection token of the store (`IDocumentDataProvider`) the module's
 * `JobManager` and `JobDispatcher` use.
 *
 * @example
 * { provide: Reports, useFactory: (store: IDocumentDataProvider) => new Reports(store), inject: [JOBSERVICE_STORE] }
 */
export const JOBSERVICE_STORE = 'JOBSERVICE_STORE';

/**
 * Injection token of the queue (`IQueueProvider`), or `null` when the module
 * was configured without one.
 */
export const JOBSERVICE_QUEUE = 'JOBSERVICE_QUEUE';

/**
 * Injection token of the resolved module options ({@link ResolvedJobServiceOptions}):
 * what `forRoot` was given, or what the `forRootAsync` factory returned, with
 * the static `callbacks`.
 */
export const JOBSERVICE_OPTIONS = 'JOBSERVICE_OPTIONS';
