/** What every scenario receives, and helpers they share. */
import { JobManager } from '@jobservice/core';
import type { Fleet, WorkerEvent } from './fleet.js';
import type { ScenarioResult } from './report.js';
import type { ProviderKind, RunStore } from './stores.js';

/** The run's flags as a scenario sees them. */
export interface ScenarioContext {
  /** The small form (`--quick`). */
  quick: boolean;
  /** Durable providers to run on (`--provider`). */
  providers: ProviderKind[];
}

/** One scenario: an id for `--only`, a one-line description, and the run. */
export interface Scenario {
  id: string;
  title: string;
  /** What it checks, for docs/RELIABILITY.md. */
  checks: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Enqueues `count` `chaos` jobs (in calls of 1,000) with `metadata(i)`; returns their ids. */
export async function enqueueChaosJobs(
  run: RunStore,
  count: number,
  metadata: (i: number) => { poison?: boolean; ms?: number } = () => ({}),
  options: { maxAttempts?: number } = {},
): Promise<string[]> {
  const manager = new JobManager({ store: run.store, queue: run.queue });
  const ids: string[] = [];
  for (let from = 0; from < count; from += 1_000) {
    const items = Array.from({ length: Math.min(1_000, count - from) }, (_, k) => ({
      callback: 'chaos',
      metadata: metadata(from + k),
      options,
    }));
    for (const result of await manager.enqueueMany(items)) ids.push(result.id);
  }
  return ids;
}

/** Counts leaseLost events split by cause, and recoveries, from the workers' events. */
export function fenceCounts(events: readonly WorkerEvent[]): {
  selfFenced: number;
  rejected: number;
  recovered: number;
  errors: number;
} {
  let selfFenced = 0;
  let rejected = 0;
  let recovered = 0;
  let errors = 0;
  for (const e of events) {
    if (e.e === 'leaseLost') {
      if (e.reason?.startsWith('self-fenced')) selfFenced++;
      else rejected++;
    } else if (e.e === 'recovered') recovered++;
    else if (e.e === 'error') errors++;
  }
  return { selfFenced, rejected, recovered, errors };
}

/** The distinct `during` values of error events with a sample message, for notes. */
export function errorSummary(fleet: Fleet): string[] {
  const seen = new Map<string, { n: number; sample: string }>();
  for (const e of fleet.events) {
    if (e.e !== 'error') continue;
    const key = e.during ?? '?';
    const entry = seen.get(key) ?? { n: 0, sample: e.reason ?? '' };
    entry.n++;
    seen.set(key, entry);
  }
  return [...seen].map(([during, { n, sample }]) => `${n}× error during ${during}: ${sample.slice(0, 160)}`);
}
