import type { MetricResult, SystemFigure } from './results.js';
import { median, range } from './stats.js';

/** Builds a metric from samples per system; ratios are jobservice ÷ each other system's median. */
export function buildMetric(options: {
  id: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  samples: Map<string, number[]>;
  skipped?: Record<string, string>;
  notes?: Record<string, string>;
}): MetricResult {
  const figures: SystemFigure[] = [];
  for (const [system, samples] of options.samples) {
    if (samples.length === 0) continue;
    const { min, max } = range(samples);
    const figure: SystemFigure = { system, samples, median: median(samples), min, max };
    const note = options.notes?.[system];
    if (note) figure.note = note;
    figures.push(figure);
  }
  const ours = figures.find((f) => f.system === 'jobservice');
  const ratios: Record<string, number> = {};
  if (ours) {
    for (const figure of figures) {
      if (figure.system !== 'jobservice' && figure.median > 0)
        ratios[figure.system] = ours.median / figure.median;
    }
  }
  return {
    id: options.id,
    title: options.title,
    unit: options.unit,
    higherIsBetter: options.higherIsBetter,
    figures,
    ratios,
    skipped: options.skipped ?? {},
  };
}

/** A run-phase throughput metric (jobs/s, higher is better) for a scenario labelled `label`. */
export function runPhaseMetric(options: {
  id: string;
  label: string;
  samples: Map<string, number[]>;
  skipped?: Record<string, string>;
  notes?: Record<string, string>;
}): MetricResult {
  const { id, label, ...rest } = options;
  return buildMetric({ id, title: `${label} (run phase)`, unit: 'jobs/s', higherIsBetter: true, ...rest });
}

/** A metric jobservice could not run here: logs why and reports it as skipped. */
export function skippedMetric(
  log: (line: string) => void,
  metric: { id: string; title: string; unit: string; higherIsBetter: boolean },
  reason: string,
): MetricResult {
  log(`  ${metric.title}: SKIPPED — ${reason}`);
  return buildMetric({ ...metric, samples: new Map(), skipped: { jobservice: reason } });
}
