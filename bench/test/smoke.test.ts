import { describe, expect, it } from 'vitest';
import { buildMetric } from '../src/metric.js';
import { resultsTable } from '../src/report/format.js';
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
});
