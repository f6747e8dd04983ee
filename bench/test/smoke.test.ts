import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli.js';
import { redactUrl } from '../src/env/server.js';
import { buildMetric, runPhaseMetric } from '../src/metric.js';
import { QUICK_PLAN } from '../src/plan.js';
import { resultsTable, scalingTable } from '../src/report/format.js';
import { scalingMetricId, scalingRows, scalingTarget } from '../src/report/scaling.js';
import { memoryThroughput } from '../src/scenarios/tasks/memory-run.js';

describe('bench smoke', () => {
  it('runs the memory-store scenario with a tiny N and produces a number', async () => {
    const run = await memoryThroughput({ jobs: 300, concurrency: 10, prefetch: 10 });
    expect(Number.isFinite(run.rate)).toBe(true);
    expect(run.rate).toBeGreaterThan(0);
  });

  it('turns samples into a row with a ratio', () => {
    const metric = buildMetric({
      id: 'x',
      title: 'x',
      unit: 'jobs/s',
      higherIsBetter: true,
      samples: new Map([
        ['jobservice', [2, 4, 3]],
        ['baseline', [1, 1, 1]],
      ]),
    });
    expect(metric.ratios.baseline).toBe(3);
    expect(resultsTable([metric], {})).toContain('3.00×');
  });

  it("turns pg-scaling's metrics (quick plan's process counts) into the scaling table and target", () => {
    const rates: Record<string, number[]> = {
      jobservice: [1000, 1800, 3000],
      'graphile-worker': [2000, 2000],
    };
    const metrics = QUICK_PLAN.scaling.processes.map((count, i) =>
      runPhaseMetric({
        id: scalingMetricId(count),
        label: `${count}p`,
        samples: new Map(
          Object.entries(rates).flatMap(([system, r]) => (r[i] === undefined ? [] : [[system, [r[i]]]])),
        ),
      }),
    );
    const table = scalingTable(scalingRows(metrics), {});
    expect(table).toContain('| system | 1 process | 2 processes | 4 processes | 2p÷1p | 4p÷1p |');
    expect(table).toContain('| jobservice | 1,000 | 1,800 | 3,000 | 1.80× | 3.00× |');
    expect(table).toContain('| graphile-worker | 2,000 | 2,000 | — | 1.00× | — |');
    expect(scalingTarget(metrics, 1.3)).toMatchObject({ measured: 3, status: 'met' });
    expect(scalingTarget([], 1.3).status).toBe('not measured');
  });

  it('knows --fresh-server and never prints a password', () => {
    expect(parseArgs(['--fresh-server']).freshServer).toBe(true);
    expect(redactUrl('postgres://postgres:secret@127.0.0.1:5433/postgres')).not.toContain('secret');
  });
});
