/** The jobs a plain claim walks: scheduled, without flow control (exactly `jobs_claim_idx`). */
export const PLAIN_JOBS = `j.status = 'scheduled' AND j.concurrency_key IS NULL AND j.rate_limit IS NULL`;

/** The gated jobs a claim may admit: scheduled, not set aside, with a key or a rate limit (`jobs_flow_claim_idx`). */
export const GATED_JOBS = `j.status = 'scheduled' AND NOT j.flow_parked
      AND (j.concurrency_key IS NOT NULL OR j.rate_limit IS NOT NULL)`;

/**
 * The part the claim statements share: `t` (the store's time), `levels`
 * (for each name from `names` — a FROM item yielding `n(name)` — the
 * priorities present among the jobs matching `jobs` (a predicate on `j`
 * that is exactly a partial index's), highest first, found one index
 * descent each) and `due`, to be used as `CROSS JOIN LATERAL (due) x` over
 * `levels l`: that level's due jobs in (run_at, id) order, locked with
 * SKIP LOCKED, at most `limit`. Within one (name, priority) the index is
 * ordered by run_at, so `run_at <= now` bounds the scan and jobs due later
 * cost nothing.
 */
export function claimLevels(
  names: string,
  options: { jobs?: string; limit?: string; levels?: string; time?: string; columns?: string } = {},
): { ctes: string; due: string } {
  const jobs = options.jobs ?? PLAIN_JOBS;
  const limit = options.limit ?? '$2::int';
  const levels = options.levels ?? 'levels';
  const time = options.time ?? 'SELECT {{schema}}.now_ms() AS now';
  const columns = options.columns ?? 'j.id, j.priority, j.run_at';
  const ctes = /* sql */ `
WITH RECURSIVE t AS MATERIALIZED (${time}),
${levels} AS (
  SELECT n.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE ${jobs} AND j.name = n.name
     ORDER BY j.priority DESC LIMIT 1) AS priority
  FROM ${names}
  UNION ALL
  SELECT l.name,
    (SELECT j.priority FROM {{schema}}.jobs j
     WHERE ${jobs} AND j.name = l.name AND j.priority < l.priority
     ORDER BY j.priority DESC LIMIT 1)
  FROM ${levels} l
  WHERE l.priority IS NOT NULL
)`;
  const due = /* sql */ `
    SELECT ${columns}
    FROM {{schema}}.jobs j
    WHERE ${jobs} AND j.name = l.name AND j.priority = l.priority
      AND j.run_at <= (SELECT now FROM t)
    ORDER BY j.run_at, j.id
    LIMIT ${limit}
    FOR UPDATE OF j SKIP LOCKED`;
  return { ctes, due };
}
