import { InvalidInputError, type Logger, silentLogger } from '@jobservice/core';
import pg from 'pg';
import { assertSchemaName, DEFAULT_SCHEMA } from './schema-name.js';

/** How long a new connection may take before it fails, unless the pool config says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Options for {@link PostgresProvider}. Pass `pool` or `connectionString` (or `poolConfig`). */
export interface PostgresProviderOptions {
  /**
   * An existing `pg.Pool` to run on. The provider never ends it; `close()`
   * leaves it to its owner.
   */
  pool?: pg.Pool;
  /** Where to connect; the provider creates its own pool and ends it on `close()`. */
  connectionString?: string;
  /**
   * Settings for the pool the provider creates (with or instead of
   * `connectionString`).
   * @default { max: 10, connectionTimeoutMillis: 10_000, options: '-c jit=off' }
   */
  poolConfig?: pg.PoolConfig;
  /**
   * The PostgreSQL schema holding the tables; must match
   * `SCHEMA_NAME_PATTERN` (`^[a-z_][a-z0-9_]{0,47}$`, not `pg_…`, not `information_schema`).
   * @default 'jobservice'
   */
  schema?: string;
  /**
   * Apply missing migrations on first use (under an advisory lock). With
   * `false` the provider only checks that the schema is current.
   * @default true
   */
  migrate?: boolean;
  /**
   * Run hot statements as named prepared statements. Turn off behind
   * PgBouncer in transaction mode (before 1.21).
   * @default true
   */
  preparedStatements?: boolean;
  /**
   * Connection settings for the one `LISTEN` connection (bells, change feed).
   * @default the pool's settings, with `connectionTimeoutMillis: 10_000` when they set none
   */
  listenerConfig?: pg.ClientConfig;
  /**
   * How often the listening connection is pinged to find silent drops; 0 for
   * never. Longer than Node's timer limit (2^31 − 1 ms) pings at that limit.
   * @default 30_000
   */
  listenerPingMs?: number;
  /** Where connection trouble is logged. @default silent */
  logger?: Logger;
  /**
   * Vacuum the jobs table from here once the server counts this many dead
   * row versions in it (checked after every quarter of that many jobs this
   * process settles), for servers whose autovacuum is off or falls behind a
   * burst; `false` leaves vacuuming to the server. One process at a time.
   * @default 100_000
   */
  vacuumDeadRows?: number | false;
  /**
   * `insertMany` batches of at least this many jobs, none of which has an
   * idempotency key, are written with one `COPY … FROM STDIN` instead of
   * the `unnest` INSERT (same rows and results; smaller batches are faster
   * through the one INSERT round trip). `false` never uses COPY (a proxy
   * or driver in between that does not pass COPY through).
   * @default 500
   */
  copyMinJobs?: number | false;
}

/** The `copyMinJobs` default: see the provider's README (measured on 2 cores, PostgreSQL 15 local). */
export const DEFAULT_COPY_MIN_JOBS = 500;

/** The options with defaults applied and the pool in hand. */
export interface ResolvedOptions {
  pool: pg.Pool;
  ownsPool: boolean;
  schema: string;
  migrate: boolean;
  preparedStatements: boolean;
  listenerConfig: pg.ClientConfig;
  listenerPingMs: number;
  logger: Logger;
  vacuumDeadRows: number | false;
  /** `Infinity` for never. */
  copyMinJobs: number;
}

/** Validates the options (naming the bad field) and creates the pool when asked to. */
export function resolveOptions(input: PostgresProviderOptions | string): ResolvedOptions {
  const options: PostgresProviderOptions = typeof input === 'string' ? { connectionString: input } : input;
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('options', 'pass { pool } or { connectionString }');
  }
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const pingMs = options.listenerPingMs ?? 30_000;
  if (typeof pingMs !== 'number' || !Number.isSafeInteger(pingMs) || pingMs < 0) {
    throw new InvalidInputError('listenerPingMs', `must be a whole number ≥ 0, got ${String(pingMs)}`);
  }
  const logger = options.logger ?? silentLogger;
  const vacuumDeadRows = countOrOff(options.vacuumDeadRows ?? 100_000, 'vacuumDeadRows');
  const copyMinJobs = countOrOff(options.copyMinJobs ?? DEFAULT_COPY_MIN_JOBS, 'copyMinJobs');
  let pool: pg.Pool;
  let ownsPool: boolean;
  if (options.pool) {
    if (options.connectionString !== undefined || options.poolConfig !== undefined) {
      throw new InvalidInputError('pool', 'pass either a pool or connectionString/poolConfig, not both');
    }
    if (typeof options.pool.query !== 'function' || typeof options.pool.connect !== 'function') {
      throw new InvalidInputError('pool', 'must be a pg.Pool');
    }
    pool = options.pool;
    ownsPool = false;
  } else {
    if (options.connectionString === undefined && options.poolConfig === undefined) {
      throw new InvalidInputError('options', 'pass { pool } or { connectionString } (or { poolConfig })');
    }
    if (options.connectionString !== undefined && typeof options.connectionString !== 'string') {
      throw new InvalidInputError('connectionString', 'must be a string');
    }
    // Job statements are short and planned per call; JIT compiling one whose
    // estimate crosses jit_above_cost costs ~100 ms. `options` in the pool
    // config or the connection string overrides this.
    // A connect that gets no answer (a wrong port, a stalled network) fails
    // after this instead of hanging `ready()` and every call behind it.
    const config: pg.PoolConfig = {
      max: 10,
      connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
      options: '-c jit=off',
      ...options.poolConfig,
    };
    if (options.connectionString !== undefined) config.connectionString = options.connectionString;
    pool = new pg.Pool(config);
    pool.on('error', (error) => logger.warn('postgres: an idle pooled connection failed', { error }));
    ownsPool = true;
  }
  const listenerConfig: pg.ClientConfig = {
    application_name: 'jobservice-listener',
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    ...connectionSettings(pool),
    ...options.listenerConfig,
    keepAlive: true,
  };
  return {
    pool,
    ownsPool,
    schema,
    migrate: options.migrate ?? true,
    preparedStatements: options.preparedStatements ?? true,
    listenerConfig,
    listenerPingMs: pingMs,
    logger,
    vacuumDeadRows,
    copyMinJobs: copyMinJobs === false ? Number.POSITIVE_INFINITY : copyMinJobs,
  };
}

/** The client settings inside a pool's options (pool-only settings left out). */
function connectionSettings(pool: pg.Pool): pg.ClientConfig {
  const {
    max: _max,
    min: _min,
    idleTimeoutMillis: _idle,
    maxUses: _uses,
    maxLifetimeSeconds: _life,
    allowExitOnIdle: _exit,
    log: _log,
    Promise: _promise,
    Client: _client,
    onConnect: _onConnect,
    verify: _verify,
    ...client
  } = (pool.options ?? {}) as pg.PoolOptions;
  return client;
}

/** An option that is a whole number ≥ 1, or `false` for off; a typed error naming `field` otherwise. */
function countOrOff(value: unknown, field: string): number | false {
  if (value === false || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1))
    return value;
  throw new InvalidInputError(field, `must be a whole number ≥ 1 or false, got ${String(value)}`);
}
