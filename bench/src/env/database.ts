import pg from 'pg';

/** Runs one statement on a short-lived connection. */
export async function queryOnce<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'jobservice-bench' });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates this run's own database next to the one `adminUrl` names; returns its URL. */
export async function createRunDatabase(adminUrl: string, name: string): Promise<string> {
  await queryOnce(adminUrl, `CREATE DATABASE ${name}`);
  return withDatabase(adminUrl, name);
}

/** Drops the run's database (closing any connection left on it). */
export async function dropRunDatabase(adminUrl: string, name: string): Promise<void> {
  await queryOnce(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** The server version and the settings that bound these figures. */
export async function serverFacts(url: string): Promise<Record<string, string>> {
  const rows = await queryOnce<{ name: string; setting: string; unit: string | null }>(
    url,
    `SELECT name, setting, unit FROM pg_settings
     WHERE name IN ('server_version', 'autovacuum', 'fsync', 'synchronous_commit', 'shared_buffers',
                    'max_connections', 'wal_level', 'checkpoint_timeout', 'max_wal_size')`,
  );
  const facts: Record<string, string> = {};
  for (const row of rows) facts[row.name] = row.unit ? `${row.setting} (${row.unit})` : row.setting;
  return facts;
}

/**
 * Before a timed phase: VACUUM ANALYZE (dead tuples of the previous round
 * gone and planner statistics fresh, as a keeping-up autovacuum leaves a
 * table; history rows stay) and, in full runs, CHECKPOINT, so no measurement
 * pays for the previous one's writes.
 */
export async function settleDatabase(url: string, checkpoint = true): Promise<void> {
  await sharedPool(url).query('VACUUM ANALYZE');
  if (checkpoint) await sharedPool(url).query('CHECKPOINT');
}

const pools = new Map<string, pg.Pool>();

/** A small pool per URL kept for the whole run (end-of-run polls, resets), closed by {@link closeSharedPools}. */
export function sharedPool(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'jobservice-bench' });
    pool.on('error', () => {});
    pools.set(url, pool);
  }
  return pool;
}

/** Counts rows with one query on the shared pool. */
export async function countRows(url: string, text: string): Promise<number> {
  const { rows } = await sharedPool(url).query<{ n: number }>(text);
  return rows[0]?.n ?? 0;
}

/** Ends every shared pool. */
export async function closeSharedPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end().catch(() => {})));
}
