/**
 * The statements of the flow-controlled claim (`src/flow-claim.ts`), run in
 * one READ COMMITTED transaction in this order: lock the name gates, count
 * their holders, read the freed keys, pick candidates (SKIP LOCKED), lock
 * the key gates, count their holders, wake parked jobs, lock the rate
 * windows, then write parks, deferrals, rate starts and the lease.
 *
 * Gate rows are locked by `INSERT … ON CONFLICT DO UPDATE` in gate order
 * (names, then keys, then rate keys), so two claims wait for each other in
 * one order only and never deadlock; nothing else ever waits on a gate row.
 */
import { claimLevels, GATED_JOBS } from './claim-levels.js';
import { leaseClaimedRows } from './lease-claimed-rows.js';
import { sql } from './sql-template.js';

/** The columns a candidate is read with. */
const CANDIDATE = 'j.id, j.name, j.priority, j.run_at, j.concurrency_key, j.concurrency_limit, j.rate_limit';

/**
 * Locks gates $1 (created when new), in gate order; each waits for the
 * claim holding it to commit. Returns the store's time after the locks.
 */
export const LOCK_GATES = sql(
  'flow_lock_gates',
  /* sql */ `
WITH locked AS (
  INSERT INTO {{schema}}.flow_gates AS g (gate, locked_at)
  SELECT x.gate, {{schema}}.now_ms() FROM unnest($1::text[]) AS x(gate) ORDER BY x.gate COLLATE "C"
  ON CONFLICT (gate) DO UPDATE SET locked_at = EXCLUDED.locked_at
  RETURNING g.gate
)
SELECT {{schema}}.now_ms() AS now, (SELECT count(*) FROM locked)::int AS locked`,
);

/** Running jobs claimed under their name's cap, per name of $1 (a fresh snapshot: after the locks). */
export const COUNT_NAME_HOLDERS = sql(
  'flow_count_names',
  /* sql */ `
SELECT j.name AS gate, count(*)::int AS running
FROM {{schema}}.jobs j
WHERE j.status = 'running' AND j.flow_named AND j.name = ANY($1::text[])
GROUP BY j.name`,
);

/** Running jobs per concurrency key of $1. */
export const COUNT_KEY_HOLDERS = sql(
  'flow_count_keys',
  /* sql */ `
SELECT j.concurrency_key AS gate, count(*)::int AS running
FROM {{schema}}.jobs j
WHERE j.status = 'running' AND j.concurrency_key = ANY($1::text[])
GROUP BY j.concurrency_key`,
);

/** Keys of names $1 a slot came free in since a claim last looked (at most 64). */
export const FREED_KEYS = sql(
  'flow_freed_keys',
  /* sql */ `SELECT DISTINCT f.key FROM {{schema}}.flow_freed f WHERE f.name = ANY($1::text[]) LIMIT 64`,
);

const gated = claimLevels('unnest($1::text[]) AS n(name)', {
  jobs: GATED_JOBS,
  limit: '$2::int',
  time: 'SELECT $3::bigint AS now',
  columns: CANDIDATE,
});

/** Up to $2 due gated jobs of names $1 at time $3, in claim order, locked SKIP LOCKED. */
export const GATED_CANDIDATES = sql(
  'flow_gated_candidates',
  /* sql */ `${gated.ctes}
SELECT x.* FROM levels l CROSS JOIN LATERAL (${gated.due}
) x
ORDER BY x.priority DESC, x.run_at, x.id
LIMIT $2::int`,
);

const plain = claimLevels('unnest($1::text[]) AS n(name)', {
  limit: '(SELECT m.lim FROM caps m WHERE m.name = l.name)',
  time: 'SELECT $3::bigint AS now',
  columns: CANDIDATE,
});

/**
 * Due jobs without key or rate limit of names $1, at most $2[i] per
 * priority of name $1[i], at time $3, in claim order (at most $4 in all),
 * locked SKIP LOCKED.
 */
export const PLAIN_CANDIDATES = sql(
  'flow_plain_candidates',
  /* sql */ `${plain.ctes},
caps AS (SELECT c.name, c.lim FROM unnest($1::text[], $2::int[]) AS c(name, lim))
SELECT x.* FROM levels l CROSS JOIN LATERAL (${plain.due}
) x
ORDER BY x.priority DESC, x.run_at, x.id
LIMIT $4::int`,
);

/**
 * Wakes keys $1 (locked): forgets their freed notes and puts back under
 * the claim the best parked jobs each key has room for (its head's limit
 * minus its running jobs). The notes are deleted and the running jobs
 * counted in one snapshot, so a slot freed after it leaves a note for the
 * next claim: no wake-up is lost. Returns the woken jobs.
 */
export const WAKE_KEYS = sql(
  'flow_wake_keys',
  /* sql */ `
WITH gone AS (
  DELETE FROM {{schema}}.flow_freed f WHERE f.key = ANY($1::text[])
),
w AS (
  SELECT x.key,
    (SELECT count(*)::int FROM {{schema}}.jobs r
     WHERE r.status = 'running' AND r.concurrency_key = x.key) AS running,
    (SELECT h.concurrency_limit FROM {{schema}}.jobs h
     WHERE h.status = 'scheduled' AND h.flow_parked AND h.concurrency_key = x.key
     ORDER BY h.priority DESC, h.run_at, h.id LIMIT 1) AS lim
  FROM unnest($1::text[]) AS x(key)
),
pick AS (
  SELECT p.id FROM w CROSS JOIN LATERAL (
    SELECT j.id FROM {{schema}}.jobs j
    WHERE j.status = 'scheduled' AND j.flow_parked AND j.concurrency_key = w.key
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT greatest(coalesce(w.lim, 0) - w.running, 0)
    FOR UPDATE OF j SKIP LOCKED
  ) p
)
UPDATE {{schema}}.jobs j SET flow_parked = false
FROM pick WHERE j.id = pick.id AND j.status = 'scheduled'
RETURNING ${CANDIDATE}`,
);

/** Locks the rate windows $1 (created empty when new), in key order; returns their starts and the time. */
export const LOCK_RATES = sql(
  'flow_lock_rates',
  /* sql */ `
INSERT INTO {{schema}}.flow_rates AS r (key)
SELECT x.key FROM unnest($1::text[]) AS x(key) ORDER BY x.key COLLATE "C"
ON CONFLICT (key) DO UPDATE SET starts = r.starts
RETURNING r.key, r.starts, {{schema}}.now_ms() AS now`,
);

/** Replaces the starts of rate keys $1 with $2 (a JSON array of arrays). */
export const SAVE_RATES = sql(
  'flow_save_rates',
  /* sql */ `
UPDATE {{schema}}.flow_rates r
SET starts = ARRAY(SELECT jsonb_array_elements_text(x.starts)::bigint)
FROM ROWS FROM (unnest($1::text[]), jsonb_array_elements($2::jsonb)) AS x(key, starts)
WHERE r.key = x.key`,
);

/** Sets aside the due jobs $1 whose key is full (an internal mark: no version change). */
export const PARK_JOBS = sql(
  'flow_park_jobs',
  /* sql */ `UPDATE {{schema}}.jobs SET flow_parked = true WHERE id = ANY($1::text[]) AND status = 'scheduled'`,
);

/** Moves jobs $1 to run at $2 (their rate window is full), as an update of each. */
export const DEFER_JOBS = sql(
  'flow_defer_jobs',
  /* sql */ `
UPDATE {{schema}}.jobs j SET run_at = x.run_at, version = j.version + 1, updated_at = {{schema}}.now_ms()
FROM unnest($1::text[], $2::bigint[]) AS x(id, run_at)
WHERE j.id = x.id AND j.status = 'scheduled'`,
);

/**
 * Leases the admitted jobs $1 (at most $2) at time $7 (null: the clock as
 * the lease runs, after every count this claim read) for worker $3 with a
 * lease of $4 ms, starting $5 (+ $6 ahead) as a plain claim does; those
 * whose name is in $8 hold a slot of their name's cap.
 */
export const LEASE_ADMITTED = sql(
  'flow_lease_admitted',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT coalesce($7::bigint, {{schema}}.clock_ms()) AS now),
c AS MATERIALIZED (
  SELECT j.id, j.priority, j.run_at FROM {{schema}}.jobs j WHERE j.id = ANY($1::text[]) LIMIT $2::int
),
${leaseClaimedRows('j.name = ANY($8::text[])')}`,
);

/**
 * The flow claim for concurrency keys only, in one round trip (the
 * function of migration 10): names $1, at most $2 jobs, worker $3, lease
 * $4 ms, $5 started (+ $6 ahead). One row of nulls: a due gated job has a
 * rate limit, so the caller runs the full flow claim.
 */
export const CLAIM_KEYS_ONLY = sql(
  'flow_claim_keys',
  /* sql */ `SELECT * FROM {{schema}}.flow_claim_keys($1::text[], $2::int, $3::text, $4::bigint, $5::int, $6::int)`,
);

/** Opens the flow claim's transaction. */
export const BEGIN = sql('flow_begin', 'BEGIN ISOLATION LEVEL READ COMMITTED', { prepare: false });
/** Commits the flow claim's transaction. */
export const COMMIT = sql('flow_commit', 'COMMIT', { prepare: false });
