/**
 * @jobservice/core/testing: the conformance kit every store and queue runs,
 * plus helpers for users' own tests (`FakeClock`, `eventually`).
 */
export { FakeClock } from './fake-clock.js';
export type {
  ConformanceArea,
  ConformanceOptions,
  ExpectLike,
  ProviderHarness,
  QueueFeatures,
  TestApi,
} from './harness.js';
export { defineCallback, eventually, newJob, uniqueName } from './kit-context.js';
export { requiredMethodsOnly } from './required-methods-only.js';
export { runConformanceKit } from './run-conformance-kit.js';
