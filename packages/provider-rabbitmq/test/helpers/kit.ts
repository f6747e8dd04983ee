import type { QueueFeatures, TestApi } from '@jobservice/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokerSkipReason } from './broker.js';

const skipReason = brokerSkipReason();
if (skipReason) console.warn(`provider-rabbitmq conformance skipped: ${skipReason}`);

/** The runner's functions for the kit; every area is skipped (by name) where the broker does not answer. */
export const kitTest: TestApi = {
  describe: skipReason ? describe.skip : describe,
  it,
  expect: expect as unknown as TestApi['expect'],
  beforeEach,
  afterEach,
};

/**
 * Delays (TTL buckets, re-delayed on early arrival), priorities
 * (x-max-priority on durable queues that keep bells for late subscribers)
 * and competing consumers (each bell is one message on one queue) all hold.
 */
export const queueFeatures: QueueFeatures = { delays: true, priorities: true, competing: true };
