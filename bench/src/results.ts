/** The shapes a run produces: measured metrics, targets, and the whole report. */

/** One system's figures for one metric of one scenario. */
export interface SystemFigure {
  /** The system id (`jobservice`, `graphile-worker`, `baseline`, …). */
  system: string;
  /** One value per measured repetition (warm-up excluded). */
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** Anything else worth printing (settings used, fsyncs per job, …). */
  note?: string;
}

/** One metric of one scenario, measured on several systems in the same run. */
export interface MetricResult {
  /** Stable id, e.g. `pg-throughput-1p`. */
  id: string;
  /** What a reader sees in the table. */
  title: string;
  /** `jobs/s`, `ms`, `MB`, … */
  unit: string;
  /** True for rates, false for latencies and costs. */
  higherIsBetter: boolean;
  figures: SystemFigure[];
  /** jobservice ÷ each other system (for `higherIsBetter: false`, other ÷ jobservice is *not* used: ratios are always jobservice ÷ peer). */
  ratios: Record<string, number>;
  /** Why a system was skipped, by system id. */
  skipped: Record<string, string>;
}

/** A target from the issue, checked against this run's figures. */
export interface TargetResult {
  /** e.g. `PG 20k, 1 process: jobservice ≥ 1.2× graphile-worker`. */
  description: string;
  /** The measured ratio (or value) compared with the threshold. */
  measured: number | null;
  /** The threshold, in the same terms as `measured`. */
  threshold: string;
  /** `met`, `missed`, or `not measured` (skipped, quick mode, …). */
  status: 'met' | 'missed' | 'not measured';
  /** Why not measured, or what bounds it. */
  note?: string;
}

/** One system's row of the scaling table (`pg-scaling`). */
export interface ScalingRow {
  system: string;
  /** Median jobs/s by worker-process count (absent: not measured). */
  rates: Record<number, number>;
  /** Each count's median ÷ this system's own 1-process median. */
  vsOneProcess: Record<number, number>;
}

/** Everything one `npm run bench` produced. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  repetitions: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    platform: string;
    /** 1-minute load averages at start and end: other work on a shared machine shows here. */
    loadAverage: { start: number; end: number };
  };
  /** The PostgreSQL server the run used: the host's (`DATABASE_URL`) or a fresh one (`--fresh-server`). */
  server: { kind: 'host' | 'fresh'; summary: string };
  versions: Record<string, string>;
  settings: Record<string, string>;
  metrics: MetricResult[];
  targets: TargetResult[];
  /** The scaling table, when `pg-scaling` ran. */
  scaling: ScalingRow[];
  notes: string[];
  /** Query plans and other long texts, by title. */
  attachments: Record<string, string>;
}
