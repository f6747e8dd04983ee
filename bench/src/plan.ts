/** How big each scenario is, in a full run and in `--quick`. */
export interface Plan {
  /** Measured repetitions per system (after `warmups`). */
  reps: number;
  warmups: number;
  /** PostgreSQL, one worker process. */
  onePhase: { jobs: number; concurrency: number };
  /** PostgreSQL, several worker processes. */
  multi: { jobs: number; processes: number; concurrency: number };
  /** PostgreSQL scaling: the same `jobs` at each worker-process count, `concurrency` per process. */
  scaling: { jobs: number; processes: number[]; concurrency: number };
  bulk: { jobs: number };
  latency: { samples: number; warmupSamples: number; concurrency: number };
  memory: { jobs: number; concurrency: number; prefetch: number };
  fs: { jobs: number };
  /** Flow control: `jobs` no-op jobs on `keys` concurrency keys (limit 1 each) vs the same jobs without keys. */
  flow: { jobs: number; keys: number; concurrency: number };
  claimCost: { small: number; large: number; claims: number };
  idle: { jobs: number; seconds: number };
  /** Producer processes enqueueing single jobs for `seconds` while `workers` run them (doorbells compared). */
  producers: { processes: number; seconds: number; workers: number; concurrency: number };
  /** Null: not run (quick). */
  soak: { jobs: number; window: number } | null;
}

/** The sizes. */
export const FULL_PLAN: Plan = {
  reps: 3,
  warmups: 1,
  onePhase: { jobs: 20_000, concurrency: 10 },
  multi: { jobs: 50_000, processes: 4, concurrency: 10 },
  scaling: { jobs: 20_000, processes: [1, 2, 4], concurrency: 10 },
  bulk: { jobs: 20_000 },
  latency: { samples: 200, warmupSamples: 20, concurrency: 10 },
  memory: { jobs: 200_000, concurrency: 100, prefetch: 100 },
  fs: { jobs: 20_000 },
  flow: { jobs: 20_000, keys: 100, concurrency: 10 },
  claimCost: { small: 10_000, large: 1_000_000, claims: 200 },
  idle: { jobs: 1_000_000, seconds: 30 },
  producers: { processes: 8, seconds: 10, workers: 2, concurrency: 10 },
  soak: { jobs: 1_000_000, window: 100_000 },
};

/** A small version of every scenario but the 1M ones, for development: minutes, not tens. */
export const QUICK_PLAN: Plan = {
  reps: 3,
  warmups: 1,
  onePhase: { jobs: 4_000, concurrency: 10 },
  multi: { jobs: 8_000, processes: 4, concurrency: 10 },
  scaling: { jobs: 4_000, processes: [1, 2, 4], concurrency: 10 },
  bulk: { jobs: 5_000 },
  latency: { samples: 30, warmupSamples: 5, concurrency: 10 },
  memory: { jobs: 50_000, concurrency: 100, prefetch: 100 },
  fs: { jobs: 1_000 },
  flow: { jobs: 4_000, keys: 100, concurrency: 10 },
  claimCost: { small: 10_000, large: 100_000, claims: 50 },
  idle: { jobs: 100_000, seconds: 6 },
  producers: { processes: 8, seconds: 3, workers: 2, concurrency: 10 },
  soak: null,
};
