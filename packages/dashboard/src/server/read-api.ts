import { JOB_STATUSES, type JobDocument, type JobManager } from '@jobservice/core';
import { HttpError } from './http-error.js';
import type { JobFilter } from './query-params.js';
import type { ThroughputSampler } from './throughput.js';

/** A job as the list shows it. */
export interface JobSummary {
  id: string;
  name: string;
  status: JobDocument['status'];
  attempt: number;
  maxAttempts: number;
  priority: number;
  runAt: number;
  createdAt: number;
  finishedAt: number | null;
  error: string | null;
  labels: Record<string, string>;
  scheduleId: string | null;
}

function summary(job: JobDocument): JobSummary {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    runAt: job.runAt,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    error: job.error?.message ?? null,
    labels: job.labels ?? {},
    scheduleId: job.scheduleId,
  };
}

/** Counts by status and by callback, plus the sampled throughput of the last hour. */
export async function overview(manager: JobManager, sampler: ThroughputSampler) {
  const counts = await manager.countJobs();
  const byStatus: Record<string, number> = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0]));
  const byName: Record<string, Record<string, number>> = {};
  for (const { name, status, count } of counts) {
    byStatus[status] = (byStatus[status] ?? 0) + count;
    const row = byName[name] ?? {};
    byName[name] = row;
    row[status] = (row[status] ?? 0) + count;
  }
  return { byStatus, byName, throughput: { since: sampler.since, buckets: sampler.lastHour() } };
}

function matches(job: JobDocument, filter: JobFilter): boolean {
  const { statuses, names, labels } = filter.query;
  if (statuses && !statuses.includes(job.status)) return false;
  if (names && !names.includes(job.name)) return false;
  for (const [key, value] of Object.entries(labels ?? {})) if (job.labels?.[key] !== value) return false;
  return true;
}

/**
 * One page of jobs, paged with the store's cursor. Text that is a job's
 * exact id finds that job with `get`; other text keeps the page's jobs whose
 * id contains it (the store cannot search ids, so only this page is searched).
 */
export async function listJobs(manager: JobManager, filter: JobFilter) {
  if (filter.text && !filter.query.cursor) {
    const exact = await manager.get(filter.text);
    if (exact && matches(exact, filter)) return { items: [summary(exact)], cursor: null, exact: true };
  }
  const page = await manager.list(filter.query);
  const text = filter.text?.toLowerCase();
  const items = text ? page.items.filter((job) => job.id.toLowerCase().includes(text)) : page.items;
  return { items: items.map(summary), cursor: page.cursor, exact: false };
}

/** One job, whole (its logs included); a 404 when it does not exist. */
export async function getJob(manager: JobManager, id: string): Promise<JobDocument> {
  const job = await manager.get(id, { include: ['logs'] });
  if (!job) throw new HttpError(404, `job not found: ${id}`);
  return job;
}

/** Every schedule with its next five fire times. */
export async function listSchedules(manager: JobManager) {
  const schedules = await manager.listSchedules();
  return Promise.all(
    schedules.map(async (schedule) => ({
      id: schedule.id,
      name: schedule.name,
      cron: schedule.cron,
      everyMs: schedule.everyMs,
      at: schedule.at,
      timezone: schedule.timezone,
      paused: schedule.paused,
      nextRunAt: schedule.nextRunAt,
      lastFireAt: schedule.lastFireAt,
      lastJobId: schedule.lastJobId,
      nextRuns: schedule.paused ? [] : await manager.nextRuns(schedule.id, 5).catch(() => []),
    })),
  );
}
