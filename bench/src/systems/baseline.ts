import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { countRows, queryOnce } from '../env/database.js';
import { packageVersion } from '../env/versions.js';
import {
  claimRows,
  copyRow,
  copyRows,
  createTables,
  insertAndNotify,
  insertRows,
  settleRows,
  uuidv7,
} from './baseline-sql.js';
import type {
  NoopPayload,
  OnJobStart,
  SystemAdapter,
  SystemEnv,
  SystemModule,
  WorkerHandle,
} from './types.js';

/** Rows the baseline claims per round trip. */
export const BASELINE_CLAIM_BATCH = 100;

/** What PostgreSQL allows with plain `pg`: batched SKIP LOCKED claims, batched settles, unnest inserts. */
export const baseline: SystemModule = {
  id: 'baseline',
  label: `library-free baseline (pg ${packageVersion('pg')})`,
  settings: (concurrency) =>
    `plain pg, jobservice's table shape without its trigger; claim up to ${BASELINE_CLAIM_BATCH} rows per ` +
    `round trip (SKIP LOCKED) whenever fewer than ${concurrency} are in hand (and at most two batches wait ` +
    `to be settled), ${concurrency} handlers, ` +
    'one batched settle (UPDATE … FROM unnest) per event-loop turn, prepared statements; ' +
    'bulk: one INSERT … SELECT FROM unnest (and, as `baseline-copy`, one COPY … FROM STDIN); ' +
    'latency: INSERT + pg_notify in one statement → LISTEN → claim',
  unavailable: async () => null,
  create: (env) => new Baseline(env, 'unnest'),
};

/**
 * The baseline's bulk insert as one `COPY … FROM STDIN` (text format, plain
 * pg + pg-copy-streams, rows streamed in 64 kB chunks): a second figure of
 * the bulk-enqueue scenario, measured wherever `baseline` is (not a system
 * of its own: every other scenario would measure the baseline twice).
 */
export const baselineCopy = {
  id: 'baseline-copy',
  note: `library-free COPY … FROM STDIN (pg ${packageVersion('pg')} + pg-copy-streams ${packageVersion('pg-copy-streams')}), same rows as the unnest insert`,
  create: (env: SystemEnv): SystemAdapter => new Baseline(env, 'copy'),
} as const;

/** How the baseline writes its bulk batch. */
type BulkInsert = 'unnest' | 'copy';

/** Rows per COPY data chunk (about 64 kB of these rows). */
const COPY_CHUNK_ROWS = 512;

class Baseline implements SystemAdapter {
  private readonly pool: pg.Pool;
  private readonly s: string;
  private readonly channel: string;

  constructor(
    private readonly env: SystemEnv,
    private readonly bulk: BulkInsert,
  ) {
    this.pool = new pg.Pool({ connectionString: env.databaseUrl, max: 10 });
    this.pool.on('error', () => {});
    this.s = `"${env.namespace}"`;
    this.channel = `${env.namespace}_bell`;
  }

  async install(): Promise<void> {
    await queryOnce(this.env.databaseUrl, createTables(this.s));
  }

  async uninstall(): Promise<void> {
    await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS ${this.s} CASCADE`);
  }

  private async insert(count: number, runAt: number): Promise<void> {
    const ids = Array.from({ length: count }, uuidv7);
    const metadata = Array.from({ length: count }, () => '{}');
    await this.pool.query(insertRows(this.s), [ids, metadata, runAt, Date.now()]);
  }

  async preload(count: number, options: { delayMs?: number } = {}): Promise<void> {
    for (let done = 0; done < count; done += 10_000) {
      await this.insert(Math.min(10_000, count - done), Date.now() + (options.delayMs ?? 0));
    }
  }

  bulkEnqueue(count: number): Promise<void> {
    return this.bulk === 'copy' ? this.copy(count, Date.now()) : this.insert(count, Date.now());
  }

  /** One COPY of `count` rows on one pooled connection. */
  private async copy(count: number, runAt: number): Promise<void> {
    const now = Date.now();
    function* chunks() {
      for (let done = 0; done < count; done += COPY_CHUNK_ROWS) {
        let chunk = '';
        for (let i = done; i < Math.min(count, done + COPY_CHUNK_ROWS); i++)
          chunk += copyRow(uuidv7(), '{}', runAt, now);
        yield chunk;
      }
    }
    const client = await this.pool.connect();
    try {
      await pipeline(chunks(), client.query(copyFrom(copyRows(this.s))));
    } finally {
      client.release();
    }
  }

  async enqueueOne(payload: NoopPayload): Promise<void> {
    await this.pool.query({
      name: 'insert_notify',
      text: insertAndNotify(this.s, this.channel),
      values: [uuidv7(), JSON.stringify(payload), Date.now()],
    });
  }

  async warm(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async startWorker(options: { concurrency: number; onStart: OnJobStart }): Promise<WorkerHandle> {
    const worker = new BaselineWorker(this.pool, this.s, options.concurrency, options.onStart);
    const listener = new pg.Client({ connectionString: this.env.databaseUrl });
    await listener.connect();
    listener.on('notification', () => worker.pump());
    await listener.query(`LISTEN "${this.channel}"`);
    worker.start();
    return {
      stop: async () => {
        await worker.stop();
        await listener.end();
      },
    };
  }

  remaining(): Promise<number> {
    return countRows(
      this.env.databaseUrl,
      `SELECT count(*)::int AS n FROM ${this.s}.jobs WHERE status IN ('scheduled', 'running')`,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface Row {
  id: string;
  lease_token: string;
  metadata: NoopPayload;
}

/** The hand-written worker loop: one claim and one settle in flight at a time. */
class BaselineWorker {
  private readonly buffer: Row[] = [];
  private running = 0;
  private claiming = false;
  private again = false;
  private ids: string[] = [];
  private tokens: string[] = [];
  private settling: Promise<void> | undefined;
  private inSettle = 0;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly workerId = `baseline:${process.pid}`;

  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    private readonly concurrency: number,
    private readonly onStart: OnJobStart,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.pump(), 1_000);
    this.pump();
  }

  pump(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    if (this.buffer.length + this.running >= this.concurrency) return;
    // Never hold more than two batches finished but not yet settled: claims wait for settles.
    if (this.ids.length + this.inSettle >= 2 * BASELINE_CLAIM_BATCH) {
      this.again = true;
      return;
    }
    this.claiming = true;
    this.again = false;
    this.pool
      .query<Row>({
        name: 'claim',
        text: claimRows(this.s),
        values: [Date.now(), BASELINE_CLAIM_BATCH, this.workerId],
      })
      .then(
        ({ rows }) => {
          this.claiming = false;
          for (const row of rows) this.buffer.push(row);
          this.run();
          // More may be due: claim again. Else wait for a bell or the timer (never a busy loop).
          if (rows.length === BASELINE_CLAIM_BATCH || this.again) this.pump();
        },
        (error) => {
          this.claiming = false;
          console.error('baseline claim:', error.message);
        },
      );
  }

  private run(): void {
    while (this.running < this.concurrency && this.buffer.length > 0) {
      const row = this.buffer.shift() as Row;
      this.running++;
      this.onStart(row.metadata);
      this.running--;
      this.ids.push(row.id);
      this.tokens.push(row.lease_token);
    }
    if (!this.flushQueued && this.ids.length > 0) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.settling || this.ids.length === 0) return;
    const ids = this.ids;
    const tokens = this.tokens;
    this.ids = [];
    this.tokens = [];
    this.inSettle = ids.length;
    this.settling = this.pool
      .query({ name: 'settle', text: settleRows(this.s), values: [ids, tokens, Date.now()] })
      .then(
        () => undefined,
        (error) => console.error('baseline settle:', error.message),
      )
      .finally(() => {
        this.settling = undefined;
        this.inSettle = 0;
        if (this.ids.length > 0) this.flush();
        if (this.again) this.pump();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.claiming || this.settling || this.ids.length > 0) {
      if (!this.settling && this.ids.length > 0) this.flush();
      await (this.settling ?? new Promise((resolve) => setTimeout(resolve, 5)));
    }
  }
}
