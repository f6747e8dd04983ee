import type { Plan } from './plan.js';
import type { MetricResult } from './results.js';
import type { SystemId, SystemModule } from './systems/types.js';

/** What every scenario gets. */
export interface BenchContext {
  mode: 'quick' | 'full';
  plan: Plan;
  /** The run's own database. */
  databaseUrl: string;
  /** Redis, or null when none answered. */
  redisUrl: string | null;
  /** The systems that can run here, loaded; the others' skip reasons are in `unavailable`. */
  systems: SystemModule[];
  unavailable: Record<string, string>;
  /** True when `--systems` named the systems (a scenario that defaults to a few then takes them all). */
  systemsNamed: boolean;
  /** Prints a progress line. */
  log(line: string): void;
  /** Adds a line to the report's notes. */
  note(line: string): void;
  /** Keeps a long text (a query plan, a profile summary) for the report's appendix. */
  attach(title: string, text: string): void;
  /** A fresh schema / key prefix name, unique in this run. */
  namespace(system: SystemId, tag: string): string;
  /** Profile jobservice's worker processes (`--profile`): figures then include the profiler's cost. */
  profile: boolean;
  /** VACUUM ANALYZE and (full runs) CHECKPOINT before a timed phase. */
  settleDatabase(): Promise<void>;
  /** A folder for this run's scratch files (fs store, profiles). */
  scratchDir: string;
}

/** One scenario: one file, one or more metrics. */
export interface Scenario {
  id: string;
  /** What it measures, for `--list` and the log. */
  title: string;
  /** Runs only in a full run (the 1M scenarios). */
  fullOnly?: boolean;
  run(ctx: BenchContext): Promise<MetricResult[]>;
}
