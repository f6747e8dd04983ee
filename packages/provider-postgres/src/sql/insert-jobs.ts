import { sql } from './sql-template.js';

/**
 * Inserts a batch of scheduled jobs in one statement, in input order, so the
 * first of two equal keys wins. Arrays (ids distinct): $1 ids, $2 names,
 * $3 priorities, $4 max attempts, $5 run at, $6 delays, $7 timeouts, $8 keys,
 * $9 schedule ids; $10 metadata and $11 backoffs as JSON arrays; $12
 * traceparents, $13 tracestates; $14 labels as a JSON array (null for none); $15 parents as a JSON
 * array of id arrays (null for none: such a job is inserted `scheduled`, the others `waiting`), $16 on
 * parent failure; $17 concurrency keys, $18 their limits, $19 rate limits as a JSON array (null
 * for none). Returns the created ids; the
 * caller looks up the holders of the keys that were taken.
 */
export const INSERT_JOBS = sql(
  'insert_jobs',
  /* sql */ `
WITH t AS MATERIALIZED (SELECT {{schema}}.now_ms() AS now)
INSERT INTO {{schema}}.jobs (id, name, status, priority, max_attempts, run_at, timeout_ms,
  created_at, updated_at, key, schedule_id, metadata, backoff, traceparent, tracestate, labels,
  parents, on_parent_failure, concurrency_key, concurrency_limit, rate_limit)
SELECT i.id, i.name, CASE WHEN jsonb_typeof(i.parents) = 'array' THEN 'waiting' ELSE 'scheduled' END,
  i.priority, i.max_attempts, coalesce(i.run_at, t.now + i.delay_ms),
  i.timeout_ms, t.now, t.now, i.key, i.schedule_id, i.metadata, i.backoff, i.traceparent, i.tracestate,
  nullif(i.labels, 'null'::jsonb),
  CASE WHEN jsonb_typeof(i.parents) = 'array'
    THEN ARRAY(SELECT jsonb_array_elements_text(i.parents)) END,
  i.on_parent_failure, i.concurrency_key, i.concurrency_limit, nullif(i.rate_limit, 'null'::jsonb)
FROM ROWS FROM (
    unnest($1::text[]), unnest($2::text[]), unnest($3::int[]), unnest($4::int[]), unnest($5::bigint[]),
    unnest($6::bigint[]), unnest($7::bigint[]), unnest($8::text[]), unnest($9::text[]),
    json_array_elements($10::json), jsonb_array_elements($11::jsonb), unnest($12::text[]),
    unnest($13::text[]), jsonb_array_elements($14::jsonb), jsonb_array_elements($15::jsonb),
    unnest($16::text[]), unnest($17::text[]), unnest($18::int[]), jsonb_array_elements($19::jsonb)
  ) WITH ORDINALITY AS i(id, name, priority, max_attempts, run_at, delay_ms, timeout_ms, key,
    schedule_id, metadata, backoff, traceparent, tracestate, labels, parents, on_parent_failure,
    concurrency_key, concurrency_limit, rate_limit, ord)
  CROSS JOIN t
ORDER BY i.ord
ON CONFLICT DO NOTHING
RETURNING id
`,
);
