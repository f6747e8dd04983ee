import { sql } from './sql-template.js';

/** Deletes job $1, guarded by version $2 unless it is null. */
export const DELETE_JOB = sql(
  'delete_job',
  /* sql */ `DELETE FROM {{schema}}.jobs WHERE id = $1::text AND ($2::int IS NULL OR version = $2::int)`,
);
