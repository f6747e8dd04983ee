import { keyClaimFunction } from '../key-claim-function.js';
import type { Migration } from './migration.js';

/**
 * Core's `admitJob` per key in closed form where it can be: when every
 * candidate of a key carries the same limit, the walk admits a prefix — the
 * job ranked `rk` among its key's candidates is admitted exactly when
 * `held + rk <= lim` — so only keys whose candidates differ in limit take
 * the recursive walk of migration 10 (a limit-1 job behind a limit-3 job of
 * its key is still judged by its own limit).
 */
const ADMIT_UNIFORM_FIRST = /* sql */ `    keyed AS MATERIALIZED (
      SELECT w.id, w.key, w.lim, coalesce(r.n, 0) AS held,
        row_number() OVER (PARTITION BY w.key ORDER BY w.pos) AS rk,
        min(w.lim) OVER (PARTITION BY w.key) = max(w.lim) OVER (PARTITION BY w.key) AS uniform
      FROM walk w LEFT JOIN running r ON r.key = w.key
      WHERE w.key IS NOT NULL
    ),
    rule(key, rk, id, taken, ok) AS (
      SELECT k.key, k.rk, k.id, 0::bigint, k.held < k.lim FROM keyed k WHERE k.rk = 1 AND NOT k.uniform
      UNION ALL
      SELECT k.key, k.rk, k.id, r.taken + r.ok::int, k.held + r.taken + r.ok::int < k.lim
      FROM rule r JOIN keyed k ON k.key = r.key AND k.rk = r.rk + 1
    ),
    judged AS (
      SELECT w.*, (w.key IS NULL
        OR CASE WHEN k.uniform THEN k.held + k.rk <= k.lim ELSE coalesce(r.ok, false) END) AS ok
      FROM walk w LEFT JOIN keyed k ON k.id = w.id LEFT JOIN rule r ON r.id = w.id
    ),`;

/**
 * Replaces `flow_claim_keys` (migration 10) with the same steps, cheaper:
 *
 * - keys whose candidates share one limit (the common case) are judged in
 *   closed form instead of by the recursive walk;
 * - its statements run generic plans (`plan_cache_mode =
 *   force_generic_plan`): each statement is planned once per connection,
 *   not on every call — the plans are index lookups whatever the
 *   arguments. The generic plan's cost estimate (its `LIMIT` is a
 *   parameter) would cross `jit_above_cost`, so JIT is off for the
 *   function: compiling it cost more than the whole claim.
 */
export const keyClaimPlansMigration: Migration = {
  version: 11,
  name: 'key-claim-plans',
  sql: /* sql */ `
${keyClaimFunction({
  replace: true,
  settings: '  SET plan_cache_mode = force_generic_plan\n  SET jit = off\n',
  admission: ADMIT_UNIFORM_FIRST,
})}`,
};
