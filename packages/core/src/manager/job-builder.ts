import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../callbacks/callback-registry.js';
import { getJobName } from '../callbacks/job-callback-name.js';
import { assertJobName } from '../callbacks/job-name.js';
import { validateMetadata } from '../callbacks/standard-schema.js';
import { InvalidInputError } from '../errors.js';
import type { NewJob } from '../model/job.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';
import { buildNewJob, type EnqueueOptions, type JobDefaults } from './enqueue-options.js';

/**
 * Turns a callback (class or name), metadata and options into a checked
 * {@link NewJob}: the name against the registry (when the manager has one),
 * the options, and the metadata against the callback's `static schema`.
 * Errors name the field (`itemField` first, for batch items).
 */
export class JobBuilder {
  constructor(
    private readonly registry: CallbackRegistry | undefined,
    private readonly defaults: JobDefaults,
    /** Why the store cannot take flow control (`null` when it can). */
    private readonly flowControlRefused: string | null = null,
  ) {}

  /** Builds the job; throws an `InvalidInputError` naming the field. */
  build(
    callback: JobCallbackClass | string,
    metadata: unknown,
    options: EnqueueOptions,
    field: string,
    itemField?: string,
  ): NewJob {
    try {
      const job = buildNewJob(
        this.nameOf(callback, field),
        metadata,
        options,
        this.classOf(callback),
        this.defaults,
      );
      if (this.flowControlRefused && (job.concurrencyKey || job.rateLimit)) {
        throw new InvalidInputError(
          job.concurrencyKey ? 'options.concurrencyKey' : 'options.rateLimit',
          this.flowControlRefused,
        );
      }
      return job;
    } catch (error) {
      if (itemField && error instanceof InvalidInputError && !error.field.startsWith(itemField)) {
        throw new InvalidInputError(`${itemField}.${error.field}`, error.message, { cause: error });
      }
      throw error;
    }
  }

  /** Validates `job.metadata` against the callback's `static schema`, when this process knows the class. */
  async checkSchema(callback: JobCallbackClass | string, job: NewJob, field: string): Promise<void> {
    const schema = this.classOf(callback)?.schema;
    if (schema === undefined) return;
    await validateMetadata(schema, job.metadata, field, job.name);
  }

  private nameOf(callback: JobCallbackClass | string, field: string): string {
    if (typeof callback === 'function') return getJobName(callback);
    assertJobName(callback, field);
    if (this.registry && !this.registry.get(callback)) {
      throw new InvalidInputError(
        field,
        `no callback named '${callback}' is registered; registered: ${this.registry.names.join(', ') || 'none'}`,
      );
    }
    return callback;
  }

  private classOf(callback: JobCallbackClass | string): JobCallbackClass | undefined {
    return typeof callback === 'function' ? callback : this.registry?.get(callback);
  }
}

/**
 * Why `store` cannot enforce flow control, or `null` when it can: a store
 * with a native `claim` must declare `flowControl` (one without a native
 * claim gets core's fallback, which enforces it).
 */
export function flowControlRefusal(store: IDocumentDataProvider): string | null {
  if (typeof store.claim !== 'function' || store.flowControl === true) return null;
  return (
    `the ${store.providerName} store's claim does not enforce concurrency keys, rate limits or ` +
    'cluster-wide parallelism; use a store that does (memory, fs, postgres) or leave the option out'
  );
}
