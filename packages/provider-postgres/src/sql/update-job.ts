import { InvalidInputError, type JobPatch } from '@jobservice/core';
import * as check from '../input-checks.js';
import { type SqlTemplate, sql } from './sql-template.js';

type Encode = (value: unknown, field: string) => unknown;

/** The fields a patch may set: column, SQL type and encoder. A whitelist: nothing else reaches SQL. */
const PATCH_COLUMNS: Record<keyof JobPatch, readonly [column: string, type: string, encode: Encode]> = {
  metadata: ['metadata', 'json', check.json],
  status: ['status', 'text', check.status],
  priority: ['priority', 'int', check.int4],
  runAt: ['run_at', 'bigint', check.int8],
  attempt: ['attempt', 'int', check.int4],
  maxAttempts: ['max_attempts', 'int', check.int4],
  backoff: ['backoff', 'jsonb', check.json],
  timeoutMs: ['timeout_ms', 'bigint', check.int8OrNull],
  leaseToken: ['lease_token', 'bigint', check.int8],
  leaseExpiresAt: ['lease_expires_at', 'bigint', check.int8OrNull],
  workerId: ['worker_id', 'text', check.textOrNull],
  cancelRequested: ['cancel_requested', 'boolean', check.bool],
  recovering: ['recovering', 'boolean', check.bool],
  reserved: ['reserved', 'boolean', check.bool],
  progress: ['progress', 'jsonb', check.jsonOrNull],
  result: ['result', 'jsonb', check.jsonOrNull],
  error: ['error', 'jsonb', check.jsonOrNull],
  history: ['history', 'jsonb', check.jsonArray],
  logs: ['logs', 'jsonb', check.jsonArray],
  scheduleId: ['schedule_id', 'text', check.textOrNull],
  startedAt: ['started_at', 'bigint', check.int8OrNull],
  finishedAt: ['finished_at', 'bigint', check.int8OrNull],
};

const FIELDS = Object.keys(PATCH_COLUMNS) as Array<keyof JobPatch>;
const templates = new Map<string, SqlTemplate>();

/** A compare-and-set update for one patch: the statement ($1 id, $2 version, then the fields) and its values. */
export interface UpdateStatement {
  template: SqlTemplate;
  values: unknown[];
}

/**
 * Builds the compare-and-set UPDATE for `patch`: only whitelisted fields,
 * every value a bind parameter, `version + 1` and `updated_at = now`. One
 * statement text (and prepared statement) per set of fields.
 */
export function buildUpdateJob(id: string, expectedVersion: number, patch: JobPatch): UpdateStatement {
  if (patch === null || typeof patch !== 'object') {
    throw new InvalidInputError('patch', 'must be an object of job fields');
  }
  for (const field of Object.keys(patch)) {
    if (!Object.hasOwn(PATCH_COLUMNS, field)) {
      throw new InvalidInputError(
        `patch.${field}`,
        `is not a field an update may change; allowed: ${FIELDS.join(', ')}`,
      );
    }
  }
  const values: unknown[] = [id, expectedVersion];
  const used: Array<keyof JobPatch> = [];
  for (const field of FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    const [, , encode] = PATCH_COLUMNS[field];
    values.push(encode(value, `patch.${field}`));
    used.push(field);
  }
  const shape = used.join(',');
  let template = templates.get(shape);
  if (!template) {
    const sets = used.map((field, i) => {
      const [column, type] = PATCH_COLUMNS[field];
      return `${column} = $${i + 3}::${type}`;
    });
    sets.push('version = version + 1', 'updated_at = {{schema}}.now_ms()');
    template = sql(
      'update_job',
      `UPDATE {{schema}}.jobs SET ${sets.join(', ')} WHERE id = $1::text AND version = $2::int RETURNING *`,
    );
    templates.set(shape, template);
  }
  return { template, values };
}
