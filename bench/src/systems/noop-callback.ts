import { BaseJobCallback, type JobCallbackClass, JobExecutionResult, type JsonValue } from '@jobservice/core';
import type { NoopPayload, OnJobStart } from './types.js';

/** The job name every system uses. */
export const NOOP = 'noop';

/** A jobservice callback named `noop` that reports its start and returns at once (synchronously). */
export function noopCallback(onStart: OnJobStart = () => {}): JobCallbackClass {
  const success = JobExecutionResult.success();
  return class Noop extends BaseJobCallback<JsonValue> {
    static jobName = NOOP;
    execute() {
      onStart(this.metadata as NoopPayload);
      return success;
    }
  };
}
