import type { BenchReport, MetricResult, ScalingRow, TargetResult } from '../results.js';

/** A number for a table: rates grouped by thousands, small values with two decimals. */
export function num(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'jobs/s') return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The results table: scenario, system, median, min–max, jobservice ÷ system. */
export function resultsTable(metrics: MetricResult[], labels: Record<string, string>): string {
  const lines = [
    '| scenario | system | median | min–max | jobservice ÷ system | note |',
    '|---|---|--:|--:|--:|---|',
  ];
  for (const metric of metrics) {
    let first = true;
    const scenario = () => {
      const text = first ? `${cell(metric.title)} [${metric.unit}]` : '';
      first = false;
      return text;
    };
    for (const f of metric.figures) {
      const ratio = metric.ratios[f.system];
      lines.push(
        `| ${scenario()} | ${cell(labels[f.system] ?? f.system)} | ${num(f.median, metric.unit)} | ` +
          `${num(f.min, metric.unit)}–${num(f.max, metric.unit)} | ${ratio === undefined ? '' : `${ratio.toFixed(2)}×`} | ` +
          `${cell(f.note ?? '')} |`,
      );
    }
    for (const [system, why] of Object.entries(metric.skipped)) {
      lines.push(`| ${scenario()} | ${cell(labels[system] ?? system)} | skipped | | | ${cell(why)} |`);
    }
  }
  return lines.join('\n');
}

/** The targets table. */
export function targetsTable(targets: TargetResult[]): string {
  const lines = ['| target | measured | threshold | status | note |', '|---|--:|--:|---|---|'];
  for (const t of targets) {
    const measured = t.measured === null ? '—' : t.measured.toFixed(2);
    const status = t.status === 'met' ? 'met' : t.status === 'missed' ? '**missed**' : 'not measured';
    lines.push(
      `| ${cell(t.description)} | ${measured} | ${t.threshold} | ${status} | ${cell(t.note ?? '')} |`,
    );
  }
  return lines.join('\n');
}

/** The scaling rows as Markdown: system | 1 process | 2 processes | … | 2p÷1p | …; `—` where not measured. */
export function scalingTable(rows: readonly ScalingRow[], labels: Record<string, string>): string {
  const counts = [...new Set(rows.flatMap((r) => Object.keys(r.rates).map(Number)))].sort((a, b) => a - b);
  const others = counts.filter((c) => c !== 1);
  const header = [
    'system',
    ...counts.map((c) => `${c} process${c === 1 ? '' : 'es'}`),
    ...others.map((c) => `${c}p÷1p`),
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|---|${header
      .slice(1)
      .map(() => '--:|')
      .join('')}`,
  ];
  for (const row of rows) {
    const rates = counts.map((c) => num(row.rates[c] ?? Number.NaN, 'jobs/s'));
    const ratios = others.map((c) => {
      const ratio = row.vsOneProcess[c];
      return ratio === undefined ? '—' : `${ratio.toFixed(2)}×`;
    });
    lines.push(`| ${[cell(labels[row.system] ?? row.system), ...rates, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The whole report as Markdown (also what the console shows). */
export function reportMarkdown(report: BenchReport, labels: Record<string, string>): string {
  const parts = [
    `# jobservice benchmarks — ${report.mode} run`,
    '',
    `Started ${report.startedAt}, finished ${report.finishedAt}; ${report.repetitions} measured repetitions per system after a warm-up, medians shown; ratios are jobservice's median ÷ the other system's median from this run.`,
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, ${report.machine.platform}; 1-minute load average ${report.machine.loadAverage.start.toFixed(1)} at start, ${report.machine.loadAverage.end.toFixed(1)} at end.`,
    `PostgreSQL: ${report.server.summary}.`,
    '',
    '## Results',
    '',
    resultsTable(report.metrics, labels),
    '',
    ...(report.scaling.length > 0
      ? [
          '## Scaling',
          '',
          "Run-phase jobs/s (the medians of the `pg-scaling` rows above) at each worker-process count, and each count's figure ÷ the system's own 1-process figure.",
          '',
          scalingTable(report.scaling, labels),
          '',
        ]
      : []),
    '## Targets',
    '',
    targetsTable(report.targets),
    '',
    '## Versions',
    '',
    ...Object.entries(report.versions).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Settings',
    '',
    ...Object.entries(report.settings).map(([k, v]) => `- **${k}**: ${v}`),
    '',
    '## Notes',
    '',
    ...report.notes.map((n) => `- ${n}`),
  ];
  for (const [title, text] of Object.entries(report.attachments)) {
    parts.push('', `### ${title}`, '', '```', text, '```');
  }
  return `${parts.join('\n')}\n`;
}
