import { InvalidInputError } from '@jobservice/core';
import type { Queryable } from './sql-runner.js';

/**
 * The caller's transaction (a `pg` client inside `BEGIN`), or undefined.
 * A pool is refused: its queries would not join the caller's transaction.
 */
export function transactionOf(handle: unknown, field: string): Queryable | undefined {
  if (handle === undefined || handle === null) return undefined;
  const candidate = handle as { query?: unknown; totalCount?: unknown; idleCount?: unknown };
  if (typeof candidate.query !== 'function') {
    throw new InvalidInputError(field, 'must be a pg client (PoolClient or Client) inside BEGIN');
  }
  if (typeof candidate.totalCount === 'number' && typeof candidate.idleCount === 'number') {
    throw new InvalidInputError(
      field,
      'must be a client inside BEGIN (const client = await pool.connect()), not a pg.Pool',
    );
  }
  return handle as Queryable;
}
