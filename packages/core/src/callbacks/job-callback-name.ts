import { InvalidInputError } from '../errors.js';
import type { JobCallbackClass } from './base-job-callback.js';
import { assertJobName } from './job-name.js';

const JOB_NAME = Symbol.for('jobservice.jobName');

/**
 * Labels a callback class with its job name. Only a label: registration
 * happens where the class is listed (`callbacks: [SendEmail]`).
 *
 * Works as a standard (TC39) class decorator and under TypeScript's legacy
 * `experimentalDecorators` (NestJS apps): it accepts `(target, context?)`.
 *
 * @example
 * ‍@JobCallbackName('send-email')
 * class SendEmail extends BaseJobCallback<{ to: string }> { … }
 */
export function JobCallbackName(name: string) {
  assertJobName(name, 'JobCallbackName');
  return <T extends JobCallbackClass>(target: T, _context?: ClassDecoratorContext): void => {
    Object.defineProperty(target, JOB_NAME, { value: name, enumerable: false, configurable: true });
  };
}

/**
 * The name of a callback class: its own `@JobCallbackName` label, else its
 * own `static jobName`. Throws when it has neither (a subclass does not
 * inherit its parent's name).
 */
export function getJobName(callback: JobCallbackClass): string {
  const labelled = Object.hasOwn(callback, JOB_NAME)
    ? (callback as unknown as Record<symbol, unknown>)[JOB_NAME]
    : undefined;
  const name = labelled ?? (Object.hasOwn(callback, 'jobName') ? callback.jobName : undefined);
  if (name === undefined) {
    throw new InvalidInputError(
      'callbacks',
      `${callback.name || 'an anonymous class'} has no job name; add @JobCallbackName('name') or static jobName = 'name'`,
    );
  }
  assertJobName(name, `${callback.name}.jobName`);
  return name;
}
