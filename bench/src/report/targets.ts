import type { MetricResult, TargetResult } from '../results.js';
import { scalingTarget } from './scaling.js';

type Find = (id: string) => MetricResult | undefined;

const fig = (metric: MetricResult | undefined, system: string) =>
  metric?.figures.find((f) => f.system === system)?.median;

/** jobservice ÷ `peer` on `metricId` must be ≥ `min` (or ≤ `max`). */
function ratio(
  find: Find,
  metricId: string,
  peer: string,
  bound: { min?: number; max?: number },
  description: string,
): TargetResult {
  const metric = find(metricId);
  const measured = metric?.ratios[peer];
  const threshold = bound.min !== undefined ? `≥ ${bound.min}×` : `≤ ${bound.max}×`;
  if (measured === undefined) {
    const why = metric
      ? (metric.skipped[peer] ?? metric.skipped.jobservice ?? 'not measured')
      : 'scenario not run';
    return { description, measured: null, threshold, status: 'not measured', note: why };
  }
  const ok = bound.min !== undefined ? measured >= bound.min : measured <= (bound.max as number);
  return { description, measured, threshold, status: ok ? 'met' : 'missed' };
}

/** jobservice ÷ `peer` on `metricId`, reported without a bound (the issue sets none): `met` whenever measured. */
function reported(find: Find, metricId: string, peer: string, description: string): TargetResult {
  const result = { ...ratio(find, metricId, peer, { min: 0 }, description), threshold: 'none (reported)' };
  return result.measured === null ? result : { ...result, note: 'reported only: no bound to miss' };
}

/** A value of one figure against a bound. */
function value(
  find: Find,
  metricId: string,
  system: string,
  bound: { min?: number; max?: number },
  description: string,
): TargetResult {
  const metric = find(metricId);
  const measured = fig(metric, system);
  const threshold = bound.min !== undefined ? `≥ ${bound.min.toLocaleString('en-US')}` : `≤ ${bound.max}`;
  if (measured === undefined) {
    const why = metric ? (Object.values(metric.skipped)[0] ?? 'not measured') : 'scenario not run';
    return { description, measured: null, threshold, status: 'not measured', note: why };
  }
  const ok = bound.min !== undefined ? measured >= bound.min : measured <= (bound.max as number);
  return { description, measured, threshold, status: ok ? 'met' : 'missed' };
}

/** A quotient of two figures of one metric (`a ÷ b`) against an upper bound. */
function quotient(
  find: Find,
  metricId: string,
  a: string,
  b: string,
  max: number,
  description: string,
): TargetResult {
  const metric = find(metricId);
  const x = fig(metric, a);
  const y = fig(metric, b);
  if (x === undefined || y === undefined || y === 0) {
    const why = metric ? (Object.values(metric.skipped)[0] ?? 'not measured') : 'scenario not run';
    return { description, measured: null, threshold: `≤ ${max}×`, status: 'not measured', note: why };
  }
  const measured = x / y;
  return { description, measured, threshold: `≤ ${max}×`, status: measured <= max ? 'met' : 'missed' };
}

/** The targets, checked against this run (ratios from this run only). */
export function evaluateTargets(metrics: MetricResult[], quick: boolean): TargetResult[] {
  const find: Find = (id) => metrics.find((m) => m.id === id);
  const claim = find('claim-cost');
  const [small, large] = claim?.figures.map((f) => f.system) ?? [];
  const soak = find('soak-windows');
  const targets: TargetResult[] = [
    ratio(
      find,
      'pg-throughput-1p',
      'graphile-worker',
      { min: 1.2 },
      'PG 1 process: jobservice ÷ graphile-worker (batched)',
    ),
    ratio(
      find,
      'pg-throughput-1p',
      'pg-boss',
      { min: 5 },
      'PG 1 process: jobservice ÷ pg-boss (best settings)',
    ),
    ratio(
      find,
      'pg-throughput-1p',
      'baseline',
      { min: 0.85 },
      'PG 1 process: jobservice ÷ library-free batched claim+settle',
    ),
    scalingTarget(metrics, 1.3),
    ratio(
      find,
      'pg-throughput-4p',
      'graphile-worker',
      { min: 1.2 },
      'PG 4 processes: jobservice ÷ graphile-worker (batched)',
    ),
    ratio(
      find,
      'bulk-enqueue',
      'graphile-worker',
      { min: 1.5 },
      'bulk enqueue: jobservice ÷ graphile-worker addJobs',
    ),
    ratio(
      find,
      'bulk-enqueue',
      'baseline',
      { min: 0.7 },
      'bulk enqueue: jobservice ÷ library-free unnest insert',
    ),
    reported(find, 'bulk-enqueue', 'baseline-copy', 'bulk enqueue: jobservice ÷ library-free COPY'),
    ratio(
      find,
      'latency-p50',
      'graphile-worker',
      { max: 1 },
      'latency p50: jobservice ÷ graphile-worker (below)',
    ),
    ratio(
      find,
      'latency-p95',
      'graphile-worker',
      { max: 1 },
      'latency p95: jobservice ÷ graphile-worker (below)',
    ),
    ratio(
      find,
      'latency-p50',
      'baseline',
      { max: 1.2 },
      'latency p50: jobservice ÷ insert+notify→listen→claim floor',
    ),
    value(find, 'memory-throughput', 'jobservice', { min: 200_000 }, 'memory store + channel queue (jobs/s)'),
    value(find, 'fs-durable', 'jobservice', { min: 2_000 }, 'fs store durable + channel queue (jobs/s)'),
    value(find, 'fs-relaxed', 'jobservice', { min: 10_000 }, 'fs store relaxed + channel queue (jobs/s)'),
    ...(
      [
        ['flow-control-memory', 'memory'],
        ['flow-control-fs', 'fs durable'],
        ['flow-control-pg', 'PostgreSQL'],
      ] as const
    ).map(([id, store]) =>
      ratio(
        find,
        id,
        'jobservice-unkeyed',
        { min: 0.7 },
        `flow control, ${store}: 100 concurrency keys ÷ no keys`,
      ),
    ),
    small && large
      ? quotient(find, 'claim-cost', large, small, 1.5, `claim cost: ${large} ÷ ${small}`)
      : {
          description: 'claim cost: large ÷ small backlog',
          measured: null,
          threshold: '≤ 1.5×',
          status: 'not measured',
          note: 'scenario not run',
        },
    value(
      find,
      'idle-memory',
      'jobservice',
      { max: 1 },
      'idle dispatcher over the backlog: heap growth after GC (MB, flat)',
    ),
    soak?.figures.length === 2
      ? quotient(
          find,
          'soak-windows',
          'jobservice first 100k',
          'jobservice last 100k',
          1.3,
          '1M jobs: time of last 100k ÷ first 100k',
        )
      : {
          description: '1M jobs: time of last 100k ÷ first 100k',
          measured: null,
          threshold: '≤ 1.3×',
          status: 'not measured',
          note: quick ? 'full run only' : (Object.values(soak?.skipped ?? {})[0] ?? 'not run'),
        },
  ];
  if (quick) {
    for (const t of targets) if (t.status !== 'not measured') t.note = 'quick sizes, indicative only';
  }
  return targets;
}
