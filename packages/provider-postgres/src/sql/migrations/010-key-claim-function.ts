import { keyClaimFunction } from '../key-claim-function.js';
import type { Migration } from './migration.js';

/**
 * Core's `admitJob` walked in claim order, per key (a recursive CTE): a
 * keyed job is admitted while its key's running jobs plus those admitted
 * before it are below the job's own limit.
 */
const ADMIT_BY_OWN_LIMIT = /* sql */ `    keyed AS MATERIALIZED (
      SELECT w.id, w.key, w.lim, coalesce(r.n, 0) AS held,
        row_number() OVER (PARTITION BY w.key ORDER BY w.pos) AS rk
      FROM walk w LEFT JOIN running r ON r.key = w.key
      WHERE w.key IS NOT NULL
    ),
    -- admitJob in claim order, per key: admitted while the key's running
    -- jobs plus those admitted before it are below the job's own limit.
    rule(key, rk, id, taken, ok) AS (
      SELECT k.key, k.rk, k.id, 0::bigint, k.held < k.lim FROM keyed k WHERE k.rk = 1
      UNION ALL
      SELECT k.key, k.rk, k.id, r.taken + r.ok::int, k.held + r.taken + r.ok::int < k.lim
      FROM rule r JOIN keyed k ON k.key = r.key AND k.rk = r.rk + 1
    ),
    judged AS MATERIALIZED (
      SELECT w.*, (w.key IS NULL OR coalesce(r.ok, false)) AS ok
      FROM walk w LEFT JOIN rule r ON r.id = w.id
    ),`;

/**
 * `flow_claim_keys(names, want, worker, lease_ms, starting, ahead)`: the
 * flow claim of `src/flow-claim.ts` for the common case — concurrency keys
 * only (no name cap in the request, no rate limit among the due gated
 * jobs) — in one round trip. Its steps and their order are the flow
 * claim's: candidates (SKIP LOCKED), key gates locked in gate order, freed
 * keys woken, running jobs counted under the locks (each statement of a
 * PL/pgSQL function reads a fresh snapshot under READ COMMITTED), then
 * core's `admitJob` rule walked in claim order — a keyed job is admitted
 * while its key's running jobs are below its own limit, else parked — and
 * the admitted jobs leased as a plain claim leases them (a woken job's
 * lease is what unparks it).
 *
 * A page is as many candidates as the claim wants: jobs past it are not
 * locked or parked, so a backlog whose keys are busy costs a claim only
 * what it looks at. A page that leases nothing and is full of blocked jobs
 * (all now parked) is followed by one twice its size, up to 8 pages.
 *
 * When a due gated candidate has a rate limit it decides nothing and
 * returns one row of nulls: the caller runs the full flow claim instead.
 * The positional parameters keep the names of `leaseClaimedRows` ($3 worker,
 * $4 lease ms, $5 starting, $6 started ahead).
 */
export const keyClaimFunctionMigration: Migration = {
  version: 10,
  name: 'key-claim-function',
  sql: /* sql */ `
-- The store's clock read as the statement runs (now_ms() is fixed at the
-- statement's start): a lease taken after a slot came free starts no
-- earlier than the settle that freed it finished.
CREATE FUNCTION {{schema}}.clock_ms() RETURNS bigint
  LANGUAGE sql VOLATILE
  AS $fn$
    SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
      + coalesce((SELECT clock_offset_ms FROM {{schema}}.settings), 0)
  $fn$;

${keyClaimFunction({ admission: ADMIT_BY_OWN_LIMIT })}`,
};
