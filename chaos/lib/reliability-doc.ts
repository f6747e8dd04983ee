/** Writes docs/RELIABILITY.md from a full run: the table, the date, machine facts, how to reproduce. */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SCENARIOS } from '../scenarios/index.js';
import { REPO_ROOT } from './fleet.js';
import { markdownTable, type ScenarioResult, verdict } from './report.js';
import { DATABASE_URL, REDIS_URL } from './stores.js';

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    const result = await client.query('SHOW server_version');
    return String(result.rows[0]?.server_version ?? 'unknown');
  } catch (error) {
    return `unreachable (${String(error).slice(0, 80)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisVersion(): Promise<string> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } catch (error) {
    return `unreachable (${String(error).slice(0, 80)})`;
  } finally {
    client.disconnect();
  }
}

function rabbitmqVersion(): string {
  try {
    const out = execFileSync('rabbitmqctl', ['version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || 'unknown';
  } catch {
    return 'unknown (rabbitmqctl not available)';
  }
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Rewrites docs/RELIABILITY.md; returns its path. */
export async function writeReliabilityDoc(
  results: readonly ScenarioResult[],
  totalMs: number,
  args: readonly string[],
): Promise<string> {
  const path = join(REPO_ROOT, 'docs', 'RELIABILITY.md');
  const rows = results.flatMap((r) => r.rows);
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  const verdicts = results.map(
    (r) => `| ${r.scenario} | ${verdict(r.rows)} | ${(r.ms / 1000).toFixed(0)} s |`,
  );
  const text = `# Reliability

The last full run of the chaos suite (\`npm run chaos\`): real worker
processes against the real stores and queues (PostgreSQL with its NOTIFY
doorbell, the fs store and queue, Redis store and queue, and the PostgreSQL
store with the RabbitMQ doorbell: \`pg-rabbitmq\`), killed,
stopped, starved of CPU, cut off from the database and fed hostile input.
The suite lives in [\`chaos/\`](../chaos/README.md); it is not part of
\`npm test\`. This file is rewritten by every full run.

## Run

- date: ${new Date().toISOString()}
- commit: ${commit()}
- command: \`npm run chaos${args.length ? ` -- ${args.join(' ')}` : ''}\`
- machine: ${availableParallelism()} CPUs (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM
- Node ${process.version}, PostgreSQL ${await postgresVersion()}, Redis ${await redisVersion()}, RabbitMQ ${rabbitmqVersion()}
- wall time: ${(totalMs / 60_000).toFixed(1)} min

| scenario | verdict | time |
| --- | --- | --- |
${verdicts.join('\n')}

## Figures

${markdownTable(rows)}

${notes.length ? `## Notes\n\n${notes.join('\n')}\n` : ''}
## What each scenario checks

${SCENARIOS.map((s) => `- **${s.id}** (${s.title}): ${s.checks}`).join('\n')}

## Reproduce

\`\`\`sh
# PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (each run makes and drops its own schema)
# Redis: REDIS_URL, else redis://127.0.0.1:6379; RabbitMQ: AMQP_URL, else amqp://guest:guest@127.0.0.1:5672
#   (each run uses its own key / queue prefix and deletes it)
npm run chaos                          # the full suite (~20 min); rewrites this file
npm run chaos -- --quick               # the small form (~3 min)
npm run chaos -- --only=kill9,zombie --provider=redis,pg-rabbitmq
\`\`\`
`;
  await writeFile(path, text);
  // Laid out as the repository's formatter wants it, so `npm run lint` stays clean.
  try {
    execFileSync('npx', ['biome', 'format', '--write', path], { cwd: REPO_ROOT, stdio: 'ignore' });
  } catch {
    // An unformatted file is still a correct report.
  }
  return path;
}
