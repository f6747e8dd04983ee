import { sql } from './sql-template.js';

/**
 * Streams scheduled (or, with parents, `waiting`) jobs into the table in
 * the text format (`copy-text.ts`), the columns in this order. The time
 * columns come last: the caller reads the store's clock just before and
 * appends them to rows encoded earlier. `key` is not written (the COPY path
 * takes no job with an idempotency key); every other column keeps its
 * default, as in `INSERT_JOBS`. One statement: a failure writes no row.
 */
export const COPY_JOBS = sql(
  'copy_jobs',
  /* sql */ `
COPY {{schema}}.jobs (id, name, status, priority, max_attempts, timeout_ms, schedule_id, metadata,
  backoff, traceparent, tracestate, labels, parents, on_parent_failure, concurrency_key,
  concurrency_limit, rate_limit, run_at, created_at, updated_at)
FROM STDIN`,
  { prepare: false },
);

/** Marks the caller's transaction before a COPY, so a taken id can be undone without aborting it. */
export const COPY_SAVEPOINT = sql('copy_savepoint', 'SAVEPOINT jobservice_copy', { prepare: false });

/** Forgets the mark once the COPY is written. */
export const COPY_RELEASE = sql('copy_release', 'RELEASE SAVEPOINT jobservice_copy', { prepare: false });

/** Undoes a COPY that hit a taken id, leaving the caller's transaction as it was before. */
export const COPY_UNDO = sql(
  'copy_undo',
  'ROLLBACK TO SAVEPOINT jobservice_copy; RELEASE SAVEPOINT jobservice_copy',
  { prepare: false },
);
