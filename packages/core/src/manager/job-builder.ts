import type { JobCallbackClass } from '../callbacks/base-job-callback.js';
import type { CallbackRegistry } from '../callbacks/callback-registry.js';
import { getJobName } from '../callbacks/job-callback-name.js';
import { assertJobName } from '../callbacks/job-name.js';
import { validateMetadata } from '../callbacks/standard-schema.js';
import { InvalidInputError } from '../errors.js';
import type { NewJob } from '../model/job.js';
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
      return buildNewJob(
        this.nameOf(callback, field),
        metadata,
        options,
        this.classOf(callback),
        this.defaults,
      );
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
