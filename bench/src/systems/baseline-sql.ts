/**
 * The library-free baseline's SQL: jobservice's table shape (same columns,
 * fillfactor and partial indexes, no change-feed trigger), one statement per
 * step, as a careful hand-written worker would send them.
 */
import { randomBytes } from 'node:crypto';

/** The DDL for schema `s` (quoted). */
export const createTables = (s: string) => /* sql */ `
CREATE SCHEMA ${s};
CREATE TABLE ${s}.jobs (
  id text COLLATE "C" PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  status text NOT NULL CHECK (status IN ('scheduled', 'running', 'completed', 'failed', 'cancelled')),
  priority integer NOT NULL DEFAULT 0,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  version integer NOT NULL DEFAULT 1,
  run_at bigint NOT NULL,
  lease_token bigint NOT NULL DEFAULT 0,
  lease_expires_at bigint,
  timeout_ms bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  cancel_requested boolean NOT NULL DEFAULT false,
  recovering boolean NOT NULL DEFAULT false,
  key text COLLATE "C",
  worker_id text,
  schedule_id text,
  metadata jsonb NOT NULL,
  backoff jsonb NOT NULL,
  progress jsonb,
  result jsonb,
  error jsonb
) WITH (fillfactor = 80);
CREATE UNIQUE INDEX jobs_key_idx ON ${s}.jobs (key) WHERE key IS NOT NULL;
CREATE INDEX jobs_claim_idx ON ${s}.jobs (name, priority DESC, run_at, id) WHERE status = 'scheduled';
CREATE INDEX jobs_running_idx ON ${s}.jobs (id) WHERE status = 'running';
CREATE INDEX jobs_finished_idx ON ${s}.jobs (finished_at) WHERE status IN ('completed', 'failed', 'cancelled');
CREATE INDEX jobs_schedule_idx ON ${s}.jobs (schedule_id) WHERE schedule_id IS NOT NULL;
`;

const BACKOFF = '{"type":"exponential","baseMs":1000,"maxMs":3600000,"jitter":0.2}';

/** One statement inserting every row of the arrays: $1 ids, $2 metadata (jsonb[]), $3 run_at (ms), $4 now (ms). */
export const insertRows = (s: string) => /* sql */ `
INSERT INTO ${s}.jobs (id, name, status, priority, max_attempts, run_at, created_at, updated_at, metadata, backoff)
SELECT u.id, 'noop', 'scheduled', 0, 3, $3::bigint, $4::bigint, $4::bigint, u.metadata, '${BACKOFF}'::jsonb
FROM unnest($1::text[], $2::jsonb[]) AS u(id, metadata)`;

/** The same rows as {@link insertRows}, streamed with one COPY in text format (rows from {@link copyRow}). */
export const copyRows = (s: string) => /* sql */ `
COPY ${s}.jobs (id, name, status, priority, max_attempts, run_at, created_at, updated_at, metadata, backoff)
FROM STDIN`;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A COPY text-format field: backslash, newline, carriage return and tab escaped. */
const copyField = (value: string) => value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] as string);

/** One row of {@link copyRows}: `metadata` is JSON text; times in ms. */
export const copyRow = (id: string, metadata: string, runAt: number, now: number) =>
  `${copyField(id)}\tnoop\tscheduled\t0\t3\t${runAt}\t${now}\t${now}\t${copyField(metadata)}\t${BACKOFF}\n`;

/** Inserts one job and rings the bell in the same statement: $1 id, $2 metadata, $3 now (ms). */
export const insertAndNotify = (s: string, channel: string) => /* sql */ `
WITH j AS (
  INSERT INTO ${s}.jobs (id, name, status, priority, max_attempts, run_at, created_at, updated_at, metadata, backoff)
  VALUES ($1, 'noop', 'scheduled', 0, 3, $3, $3, $3, $2, '${BACKOFF}'::jsonb)
  RETURNING 1
)
SELECT pg_notify('${channel}', '') FROM j`;

/** Claims up to $2 due jobs (SKIP LOCKED) for worker $3 at time $1 (ms); returns id, lease token, metadata. */
export const claimRows = (s: string) => /* sql */ `
WITH c AS (
  SELECT id FROM ${s}.jobs
  WHERE status = 'scheduled' AND name = 'noop' AND run_at <= $1::bigint
  ORDER BY priority DESC, run_at, id
  LIMIT $2::int
  FOR UPDATE SKIP LOCKED
)
UPDATE ${s}.jobs j SET status = 'running', attempt = j.attempt + 1, lease_token = j.lease_token + 1,
  lease_expires_at = $1::bigint + 30000, worker_id = $3::text, started_at = $1::bigint,
  version = j.version + 1, updated_at = $1::bigint
FROM c WHERE j.id = c.id
RETURNING j.id, j.lease_token, j.metadata`;

/**
 * Completes a batch, fenced by lease token: $1 ids, $2 lease tokens, $3 now (ms).
 * `(j.status || '')` keeps the planner off the partial index on running jobs:
 * with statistics taken while no job ran, a generic plan otherwise scans every
 * running row for each id (a nested loop that grows with both), which stalls
 * a worker holding thousands of running jobs. This way it walks the ids into
 * the primary key.
 */
export const settleRows = (s: string) => /* sql */ `
UPDATE ${s}.jobs j SET status = 'completed', finished_at = $3::bigint, lease_expires_at = NULL,
  worker_id = NULL, version = j.version + 1, updated_at = $3::bigint
FROM unnest($1::text[], $2::bigint[]) AS u(id, lease_token)
WHERE j.id = u.id AND j.lease_token = u.lease_token AND (j.status || '') = 'running'`;

/** A UUID v7 (time-ordered), as jobservice uses, so index locality is the same. */
export function uuidv7(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  const r = randomBytes(10);
  r[0] = ((r[0] as number) & 0x0f) | 0x70;
  r[2] = ((r[2] as number) & 0x3f) | 0x80;
  const h = r.toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8)}-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8)}`;
}
