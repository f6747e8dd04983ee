/**
 * The part both claim statements share: `t` (the store's time), `levels`
 * (for each name from `names` — a FROM item yielding `n(name)` — the
 * priorities present among its scheduled jobs, highest first, found one
 * index descent each) and `due`, to be used as `CROSS JOIN LATERAL (due) x`
 * over `levels l`: that level's due jobs in (run_at, id) order, locked with
 * SKIP LOCKED. Within one (name, priority) the claim index is ordered by
 * run_at, so `run_at <= now` bounds the scan and jobs due later cost nothing.
 */
export function claimLevels(names: string): { ctes: string; due: string } {
  const ctes = /* sql */ `
WITH RECURSIVE t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now),
levels AS (
  SELECT n.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE j.status = 'scheduled' AND j.name = n.name
     ORDER BY j.priority DESC LIMIT 1) AS priority
  FROM ${names}
  UNION ALL
  SELECT l.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE j.status = 'scheduled' AND j.name = l.name AND j.priority < l.priority
     ORDER BY j.priority DESC LIMIT 1)
  FROM levels l
  WHERE l.priority IS NOT NULL
)`;
  const due = /* sql */ `
    SELECT j.id, j.priority, j.run_at
    FROM {{schema}}.jobs j
    WHERE j.status = 'scheduled' AND j.name = l.name AND j.priority = l.priority
      AND j.run_at <= (SELECT now FROM t)
    ORDER BY j.run_at, j.id
    LIMIT $2::int
    FOR UPDATE OF j SKIP LOCKED`;
  return { ctes, due };
}
