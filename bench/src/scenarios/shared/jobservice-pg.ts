import { JobManager } from '@jobservice/core';
import pg from 'pg';
import { loadPostgresProvider } from '../../systems/jobservice-postgres.js';
import { NOOP } from '../../systems/noop-callback.js';

/** A PostgresProvider on a pool that remembers the last statement of each prepared name (for EXPLAIN). */
export interface OpenedJobservice {
  provider: InstanceType<Exclude<Awaited<ReturnType<typeof loadPostgresProvider>>, string>>;
  manager: JobManager;
  /** The last query config whose prepared name contains `part` (e.g. `claim`). */
  lastStatement(part: string): pg.QueryConfig | undefined;
  /** Inserts `count` no-op jobs with enqueueMany in chunks of 10k. */
  preload(count: number, delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens jobservice's PostgreSQL provider on `schema`, or returns why it cannot. */
export async function openJobservice(
  databaseUrl: string,
  schema: string,
): Promise<OpenedJobservice | string> {
  const Provider = await loadPostgresProvider();
  if (typeof Provider === 'string') return Provider;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const seen = new Map<string, pg.QueryConfig>();
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  (pool as unknown as { query: unknown }).query = (config: pg.QueryConfig) => {
    if (typeof config === 'object' && config.name) seen.set(config.name, config);
    return query(config);
  };
  const provider = new Provider({ pool, schema });
  await provider.ready();
  const manager = new JobManager({ store: provider, queue: provider });
  return {
    provider,
    manager,
    lastStatement: (part) => [...seen.entries()].reverse().find(([name]) => name.includes(part))?.[1],
    async preload(count, delayMs) {
      const options = delayMs ? { delayMs } : undefined;
      for (let done = 0; done < count; done += 10_000) {
        const size = Math.min(10_000, count - done);
        await manager.enqueueMany(
          Array.from({ length: size }, () => ({ callback: NOOP, metadata: {}, options })),
        );
      }
    },
    async close() {
      await provider.close();
      await pool.end();
    },
  };
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of a captured statement, inside a rolled-back transaction. */
export async function explainAnalyze(databaseUrl: string, config: pg.QueryConfig): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${config.text}`,
      config.values as unknown[],
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}

/** The one line of a plan that says how long it ran. */
export function executionTime(plan: string): string {
  return /Execution Time: .*/.exec(plan)?.[0] ?? 'unknown';
}
