/**
 * @jobservice/core/testing: the conformance kit every store and queue runs,
 * plus helpers for users' own tests (`FakeClock`).
 */
export { FakeClock } from './fake-clock.js';
