import type { Logger } from '@jobservice/core';
import type pg from 'pg';
import {
  CANCEL_BACKEND,
  COUNT_DEAD_ROWS,
  TRY_VACUUM_LOCK,
  VACUUM_JOBS,
  VACUUM_UNLOCK,
} from './sql/vacuum.js';
import type { SqlRunner } from './sql-runner.js';

/**
 * Keeps the jobs table's dead row versions bounded when autovacuum does not:
 * it is switched off on some servers, and at its defaults it wakes once a
 * minute, while a busy worker leaves two dead versions per job (claim,
 * settle) and every claim walks the dead entries at the head of the claim
 * index until a vacuum removes them.
 *
 * After every `threshold / 4` jobs this process settles, it reads the
 * table's dead-row count from the server's statistics; at `threshold` or
 * more it runs `VACUUM (ANALYZE)` on a pooled connection in the background,
 * under a per-schema advisory lock so one process vacuums at a time. Where
 * autovacuum keeps up (migration 2 sets it to start after 20,000 dead rows)
 * the count stays below the threshold and this never runs.
 */
export class VacuumKeeper {
  private settled = 0;
  private running: Promise<void> | undefined;
  private backend: number | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly sql: SqlRunner,
    private readonly schema: string,
    /** Dead rows that start a vacuum; `false`: never. */
    private readonly threshold: number | false,
    private readonly logger: Logger,
  ) {}

  /** `count` jobs reached the end of an attempt (settled) in this process. */
  noteSettled(count: number): void {
    if (this.threshold === false || this.closed) return;
    this.settled += count;
    if (this.running || this.settled < Math.max(1, Math.floor(this.threshold / 4))) return;
    this.settled = 0;
    this.running = this.vacuumIfNeeded(this.threshold)
      .catch((error) => {
        if (!this.closed) this.logger.warn('postgres: vacuuming the jobs table failed', { error });
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Cancels a vacuum in flight and waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running) return;
    if (this.backend !== undefined) {
      await this.sql.run(this.pool, CANCEL_BACKEND, [this.backend], 'vacuum: cancel').catch(() => undefined);
    }
    await this.running;
  }

  private async vacuumIfNeeded(threshold: number): Promise<void> {
    const { rows } = await this.sql.run<{ dead: string }>(
      this.pool,
      COUNT_DEAD_ROWS,
      [this.schema],
      'vacuum: count',
    );
    if (Number(rows[0]?.dead ?? 0) < threshold || this.closed) return;
    const client = await this.pool.connect();
    try {
      const locked = await this.sql.run<{ locked: boolean }>(
        client,
        TRY_VACUUM_LOCK,
        [this.schema],
        'vacuum: lock',
      );
      if (!locked.rows[0]?.locked) return;
      try {
        this.backend = (client as { processID?: number }).processID;
        if (!this.closed) await this.sql.run(client, VACUUM_JOBS, [], 'vacuum');
      } finally {
        this.backend = undefined;
        await this.sql.run(client, VACUUM_UNLOCK, [this.schema], 'vacuum: unlock');
      }
    } finally {
      client.release();
    }
  }
}
