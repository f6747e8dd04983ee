/** The scaling figures (`pg-scaling`): each system's jobs/s per worker-process count, against its own 1-process figure. */
import type { MetricResult, ScalingRow, TargetResult } from '../results.js';

/** The id of `pg-scaling`'s metric at `processes` worker processes, e.g. `pg-scaling-2p`. */
export const scalingMetricId = (processes: number) => `pg-scaling-${processes}p`;

const ID = /^pg-scaling-(\d+)p$/;

const medianOf = (metric: MetricResult | undefined, system: string) =>
  metric?.figures.find((f) => f.system === system)?.median;

/** One row per system measured by `pg-scaling`, in the order the metrics list them. */
export function scalingRows(metrics: readonly MetricResult[]): ScalingRow[] {
  const byCount = new Map<number, MetricResult>();
  for (const metric of metrics) {
    const count = ID.exec(metric.id)?.[1];
    if (count) byCount.set(Number(count), metric);
  }
  const systems = [...new Set([...byCount.values()].flatMap((m) => m.figures.map((f) => f.system)))];
  return systems.map((system) => {
    const rates: Record<number, number> = {};
    const vsOneProcess: Record<number, number> = {};
    for (const [count, metric] of byCount) {
      const rate = medianOf(metric, system);
      if (rate !== undefined) rates[count] = rate;
    }
    const one = rates[1];
    for (const [count, rate] of Object.entries(rates)) {
      if (one) vsOneProcess[Number(count)] = rate / one;
    }
    return { system, rates, vsOneProcess };
  });
}

/**
 * The scaling target: jobservice at 4 worker processes ÷ its own
 * 1-process figure ≥ `min`, from `pg-scaling` (same job count at both), or
 * else from `pg-throughput-1p` and `pg-throughput-4p` (their own sizes).
 */
export function scalingTarget(metrics: readonly MetricResult[], min: number): TargetResult {
  const description = 'PG scaling: jobservice 4 processes ÷ own 1 process';
  const threshold = `≥ ${min}×`;
  const find = (id: string) => metrics.find((m) => m.id === id);
  const sources: Array<[string, string, string]> = [
    [scalingMetricId(1), scalingMetricId(4), 'from pg-scaling'],
    ['pg-throughput-1p', 'pg-throughput-4p', 'from pg-throughput-1p and -4p (different job counts)'],
  ];
  for (const [oneId, fourId, note] of sources) {
    const one = medianOf(find(oneId), 'jobservice');
    const four = medianOf(find(fourId), 'jobservice');
    if (one && four !== undefined) {
      const measured = four / one;
      return { description, measured, threshold, status: measured >= min ? 'met' : 'missed', note };
    }
  }
  const why = [scalingMetricId(1), scalingMetricId(4), 'pg-throughput-1p', 'pg-throughput-4p']
    .map((id) => find(id)?.skipped.jobservice)
    .find(Boolean);
  return { description, measured: null, threshold, status: 'not measured', note: why ?? 'scenario not run' };
}
