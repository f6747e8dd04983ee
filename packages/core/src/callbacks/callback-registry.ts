import { InvalidInputError, JobServiceError } from '../errors.js';
import type { JobDocument } from '../model/job.js';
import type { AnyJobCallback, JobCallbackClass } from './base-job-callback.js';
import { getJobName } from './job-callback-name.js';

/**
 * Builds the callback instance for one attempt. Replace it to construct
 * callbacks through a DI container. It may return a promise (a container
 * that resolves scoped services asynchronously); a factory that throws or
 * rejects fails the attempt like a callback that threw.
 *
 * @example
 * const factory: CallbackFactory = (Callback) => container.resolve(Callback);
 */
export type CallbackFactory = (
  callback: JobCallbackClass,
  job: JobDocument,
) => AnyJobCallback | Promise<AnyJobCallback>;

/** The default factory: `new Callback()`. */
export const defaultCallbackFactory: CallbackFactory = (Callback) =>
  new (Callback as unknown as new () => AnyJobCallback)();

/**
 * The callbacks one manager or dispatcher knows, by name. Not global: each
 * instance has its own. Two classes under one name are an error.
 */
export class CallbackRegistry {
  private readonly byName = new Map<string, JobCallbackClass>();

  constructor(callbacks: readonly JobCallbackClass[]) {
    if (!Array.isArray(callbacks)) {
      throw new InvalidInputError('callbacks', 'must be an array of callback classes, e.g. [SendEmail]');
    }
    for (const callback of callbacks) {
      if (typeof callback !== 'function') {
        throw new InvalidInputError(
          'callbacks',
          `must hold classes extending BaseJobCallback, got ${typeof callback}`,
        );
      }
      const name = getJobName(callback);
      const existing = this.byName.get(name);
      if (existing && existing !== callback) {
        throw new JobServiceError(
          'DUPLICATE_CALLBACK',
          `callbacks: ${existing.name} and ${callback.name} are both named '${name}'; give each a distinct @JobCallbackName`,
        );
      }
      this.byName.set(name, callback);
    }
  }

  /** The registered names. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** How many callbacks are registered. */
  get size(): number {
    return this.byName.size;
  }

  /** The class for `name`, if registered. */
  get(name: string): JobCallbackClass | undefined {
    return this.byName.get(name);
  }
}
