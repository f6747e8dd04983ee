import { claimLevels, GATED_JOBS } from './claim-levels.js';
import { leaseClaimedRows } from './lease-claimed-rows.js';

const NAMES = 'unnest($1::text[]) AS n(name)';
const TIME = 'SELECT v_now AS now';

const gated = claimLevels(NAMES, {
  jobs: GATED_JOBS,
  limit: 'v_page',
  time: TIME,
  columns: 'j.id, j.priority, j.run_at, j.concurrency_key, j.rate_limit',
});
const plain = claimLevels(NAMES, { limit: '$2::int', time: TIME });

/** How {@link keyClaimFunction} writes the function. */
export interface KeyClaimFunctionOptions {
  /** `CREATE OR REPLACE` (a later migration) instead of `CREATE`. */
  replace?: boolean;
  /** Lines of the function's `SET` clauses, each ending in a newline. */
  settings?: string;
  /**
   * The CTEs that judge the keyed candidates, between `walk` (the
   * candidates in claim order: `id, priority, run_at, key, lim,
   * was_parked, pos`) and `counted`: they end with `judged`, every row of
   * `walk` with `ok` (admitted). The CTE `running` (`key, n`) counts the
   * running jobs of each candidate key under the gate locks.
   */
  admission: string;
}

/**
 * The SQL that creates `flow_claim_keys(names, want, worker, lease_ms,
 * starting, ahead)`, the keyed claim in one round trip (see migration 10
 * for its steps): the text migrations 10 and 11 share, so the later one
 * changes only how keyed candidates are judged and planned.
 */
export function keyClaimFunction(options: KeyClaimFunctionOptions): string {
  return /* sql */ `${options.replace ? 'CREATE OR REPLACE' : 'CREATE'} FUNCTION {{schema}}.flow_claim_keys(text[], int, text, bigint, int, int)
  RETURNS SETOF {{schema}}.jobs
  LANGUAGE plpgsql
${options.settings ?? ''}  AS $fn$
  DECLARE
    v_now bigint := {{schema}}.now_ms();
    v_page int := least(500, $2);
    v_gated text[];
    v_rated boolean;
    v_keys text[];
    v_plain text[];
    v_freed text[];
    v_woken text[] := '{}';
  BEGIN
  -- A round that leases nothing and fills its page parked every job in it: look further, up to 8 pages.
  FOR v_round IN 1..8 LOOP
    SELECT coalesce(array_agg(x.id), '{}'), coalesce(bool_or(x.rate_limit IS NOT NULL), false),
        coalesce(array_agg(DISTINCT x.concurrency_key) FILTER (WHERE x.concurrency_key IS NOT NULL), '{}')
      INTO v_gated, v_rated, v_keys
      FROM (${gated.ctes}
        SELECT x.* FROM levels l CROSS JOIN LATERAL (${gated.due}
        ) x
        ORDER BY x.priority DESC, x.run_at, x.id
        LIMIT v_page) x;
    IF v_rated THEN
      RETURN QUERY SELECT (NULL::{{schema}}.jobs).*;
      RETURN;
    END IF;

    SELECT coalesce(array_agg(x.id), '{}') INTO v_plain
      FROM (${plain.ctes}
        SELECT x.* FROM levels l CROSS JOIN LATERAL (${plain.due}
        ) x
        ORDER BY x.priority DESC, x.run_at, x.id
        LIMIT $2::int) x;

    SELECT coalesce(array_agg(f.key), '{}') INTO v_freed
      FROM (SELECT DISTINCT f.key FROM {{schema}}.flow_freed f WHERE f.name = ANY($1) LIMIT 64) f;
    v_keys := ARRAY(SELECT DISTINCT k FROM unnest(v_keys || v_freed) AS k);

    IF cardinality(v_keys) > 0 THEN
      INSERT INTO {{schema}}.flow_gates AS g (gate, locked_at)
        SELECT 'key:' || k, v_now FROM unnest(v_keys) AS k ORDER BY 'key:' || k COLLATE "C"
        ON CONFLICT (gate) DO UPDATE SET locked_at = EXCLUDED.locked_at;
    END IF;

    IF cardinality(v_freed) > 0 THEN
      WITH gone AS (
        DELETE FROM {{schema}}.flow_freed f WHERE f.key = ANY(v_freed)
      ),
      head AS MATERIALIZED (
        SELECT x.key,
          (SELECT h.concurrency_limit FROM {{schema}}.jobs h
           WHERE h.status = 'scheduled' AND h.flow_parked AND h.concurrency_key = x.key
           ORDER BY h.priority DESC, h.run_at, h.id LIMIT 1) AS lim
        FROM unnest(v_freed) AS x(key)
      ),
      w AS (
        SELECT head.key, head.lim,
          (SELECT count(*)::int FROM {{schema}}.jobs r
           WHERE r.status = 'running' AND r.concurrency_key = head.key) AS running
        FROM head WHERE head.lim IS NOT NULL
      ),
      pick AS MATERIALIZED (
        SELECT p.id, (p.rate_limit IS NULL AND p.run_at <= v_now AND p.name = ANY($1)) AS fits
        FROM w CROSS JOIN LATERAL (
          SELECT j.id, j.rate_limit, j.run_at, j.name FROM {{schema}}.jobs j
          WHERE j.status = 'scheduled' AND j.flow_parked AND j.concurrency_key = w.key
          ORDER BY j.priority DESC, j.run_at, j.id
          LIMIT greatest(w.lim - w.running, 0)
          FOR UPDATE OF j SKIP LOCKED
        ) p
      ),
      back AS (
        UPDATE {{schema}}.jobs j SET flow_parked = false
        FROM pick WHERE j.id = pick.id AND NOT pick.fits
      )
      SELECT coalesce(array_agg(pick.id) FILTER (WHERE pick.fits), '{}') INTO v_woken FROM pick;
    END IF;

    RETURN QUERY
    WITH RECURSIVE t AS MATERIALIZED (SELECT {{schema}}.clock_ms() AS now),
    running AS (
      SELECT r.concurrency_key AS key, count(*)::int AS n FROM {{schema}}.jobs r
      WHERE r.status = 'running' AND r.concurrency_key = ANY(v_keys)
      GROUP BY r.concurrency_key
    ),
    walk AS MATERIALIZED (
      SELECT j.id, j.priority, j.run_at, j.concurrency_key AS key, coalesce(j.concurrency_limit, 1) AS lim,
        j.flow_parked AS was_parked, row_number() OVER (ORDER BY j.priority DESC, j.run_at, j.id) AS pos
      FROM {{schema}}.jobs j
      WHERE j.id = ANY(v_gated || v_plain || v_woken) AND j.status = 'scheduled'
    ),
${options.admission}
    counted AS MATERIALIZED (
      SELECT d.*, count(*) FILTER (WHERE d.ok) OVER (ORDER BY d.pos) AS nth FROM judged d
    ),
    cut AS MATERIALIZED (
      SELECT coalesce(min(d.pos) FILTER (WHERE d.ok AND d.nth = $2), 'Infinity'::float8) AS at FROM counted d
    ),
    parked AS (
      UPDATE {{schema}}.jobs j SET flow_parked = true
      FROM counted d, cut
      WHERE j.id = d.id AND NOT d.ok AND NOT d.was_parked AND d.pos < cut.at AND j.status = 'scheduled'
    ),
    unparked AS (
      UPDATE {{schema}}.jobs j SET flow_parked = false
      FROM counted d, cut
      WHERE j.id = d.id AND d.was_parked AND d.ok AND d.pos > cut.at
    ),
    c AS MATERIALIZED (
      SELECT d.id, d.priority, d.run_at FROM counted d WHERE d.ok AND d.nth <= $2
    ),
    ${leaseClaimedRows('false', 'leased')}
    SELECT leased.* FROM leased;
    EXIT WHEN FOUND OR cardinality(v_gated) < v_page;
    v_page := least(500, v_page * 2);
    v_woken := '{}';
  END LOOP;
  END
  $fn$;
`;
}
