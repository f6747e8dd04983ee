import { JOB_METRIC_DESCRIPTIONS, type JobManager } from '@jobservice/core';
import type { Meter, ObservableCallback } from '@opentelemetry/api';
import { ATTR_JOBSERVICE_JOB_STATUS, ATTR_MESSAGING_DESTINATION_NAME } from './attributes.js';

/** The name of the gauge of jobs in the store. */
export const JOB_COUNT_GAUGE_NAME = 'jobservice.jobs';

/**
 * Registers the observable gauge `jobservice.jobs` (unit `{job}`): how many
 * jobs of each callback name are in each status, attributes
 * `messaging.destination.name` and `jobservice.job.status`. Its callback is
 * asynchronous: each collection awaits one `manager.countJobs()` (the
 * OpenTelemetry SDK awaits observable callbacks, within its collection
 * timeout); a failed read reports nothing for that collection. Statuses
 * with no jobs are not reported. Returns the remover.
 */
export function observeJobCounts(manager: JobManager, meter: Meter): () => void {
  const gauge = meter.createObservableGauge(JOB_COUNT_GAUGE_NAME, {
    description: JOB_METRIC_DESCRIPTIONS.jobs,
    unit: '{job}',
  });
  const callback: ObservableCallback = async (result) => {
    let counts: Awaited<ReturnType<JobManager['countJobs']>>;
    try {
      counts = await manager.countJobs();
    } catch {
      return;
    }
    for (const { name, status, count } of counts) {
      result.observe(count, {
        [ATTR_MESSAGING_DESTINATION_NAME]: name,
        [ATTR_JOBSERVICE_JOB_STATUS]: status,
      });
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
