import { attemptHistoryArea } from './areas/attempt-history.js';
import { attemptsArea } from './areas/attempts.js';
import { cancellationArea } from './areas/cancellation.js';
import { claimArea } from './areas/claim.js';
import { continuationsArea } from './areas/continuations.js';
import { crashArea } from './areas/crash.js';
import { dispatcherArea } from './areas/dispatcher.js';
import { flowControlArea } from './areas/flow-control.js';
import { hostileInputArea } from './areas/hostile-input.js';
import { idempotencyArea } from './areas/idempotency.js';
import { jobLogsArea } from './areas/job-logs.js';
import { labelsArea } from './areas/labels.js';
import { metadataSchemaArea } from './areas/metadata-schema.js';
import { observabilityArea } from './areas/observability.js';
import { operatorActionsArea } from './areas/operator-actions.js';
import { queueArea } from './areas/queue.js';
import { recoveryArea } from './areas/recovery.js';
import { retentionArea } from './areas/retention.js';
import { routingArea } from './areas/routing.js';
import { schedulingArea } from './areas/scheduling.js';
import { settleArea } from './areas/settle.js';
import { shutdownArea } from './areas/shutdown.js';
import { storeCasArea } from './areas/store-cas.js';
import { storeCrudArea } from './areas/store-crud.js';
import { timersArea } from './areas/timers.js';
import type { ConformanceArea, ConformanceOptions, QueueFeatures } from './harness.js';
import { createKitContext, type KitContext } from './kit-context.js';

const AREAS: Record<ConformanceArea, (ctx: KitContext, features: QueueFeatures) => void> = {
  'store-crud': storeCrudArea,
  'store-cas': storeCasArea,
  queue: queueArea,
  claim: claimArea,
  attempts: attemptsArea,
  'attempt-history': attemptHistoryArea,
  continuations: continuationsArea,
  'job-logs': jobLogsArea,
  settle: settleArea,
  cancellation: cancellationArea,
  'operator-actions': operatorActionsArea,
  'metadata-schema': metadataSchemaArea,
  labels: labelsArea,
  idempotency: idempotencyArea,
  recovery: recoveryArea,
  crash: crashArea,
  shutdown: shutdownArea,
  routing: routingArea,
  retention: retentionArea,
  dispatcher: dispatcherArea,
  'flow-control': flowControlArea,
  scheduling: schedulingArea,
  timers: timersArea,
  'hostile-input': hostileInputArea,
  observability: observabilityArea,
};

/** Areas that exercise the queue only: run once, not per store path. */
const QUEUE_ONLY: ReadonlySet<ConformanceArea> = new Set(['queue']);

/**
 * Registers the conformance kit with the caller's test runner: every area,
 * on the provider's native capabilities and on core's fallbacks.
 *
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { runConformanceKit } from '@jobservice/core/testing';
 * runConformanceKit({
 *   name: 'my store',
 *   test: { describe, it, expect, beforeEach, afterEach },
 *   createHarness: async () => ({ store: new MyStore(), cleanup: async () => {} }),
 * });
 */
export function runConformanceKit(options: ConformanceOptions): void {
  const paths = options.paths ?? ['native', 'fallback'];
  const skip = new Set(options.skip ?? []);
  const features: QueueFeatures = {
    delays: true,
    priorities: true,
    competing: true,
    ...options.queueFeatures,
  };
  options.test.describe(`conformance: ${options.name}`, () => {
    for (const path of paths) {
      options.test.describe(path === 'native' ? 'native capabilities' : 'core fallbacks', () => {
        const ctx = createKitContext(options, path, features);
        for (const [area, register] of Object.entries(AREAS) as Array<
          [ConformanceArea, (ctx: KitContext, features: QueueFeatures) => void]
        >) {
          if (skip.has(area) || (QUEUE_ONLY.has(area) && path !== paths[0])) continue;
          options.test.describe(area, () => register(ctx, features));
        }
      });
    }
  });
}
