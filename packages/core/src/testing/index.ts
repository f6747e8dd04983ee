/**
 * @jobservice/core/testing: the conformance kit every store and queue runs,
 * plus helpers for users' own tests (`FakeClock`, `eventually`).
 */
export { FakeClock } from './fake-clock.js';
export type {
  ConformanceArea,
  ConformanceOptions,
  ExpectLike,
  HarnessFeature,
  ProviderHarness,
  QueueFeatures,
  TestApi,
} from './harness.js';
export type { KitIt } from './kit-context.js';
export { defineCallback, eventually, newJob, uniqueName, untilAborted } from './kit-context.js';
export { delegatingStore, requiredMethodsOnly, withoutWatch } from './required-methods-only.js';
export { runConformanceKit } from './run-conformance-kit.js';
