import { PRELUDE } from './prelude.js';

/**
 * Settlements in order, each fenced by id + leaseToken + status running (a
 * `start` also by reserved), each writing what core's `settlePatch` writes.
 *
 * ARGV: count, then per settlement: id, leaseToken, outcome, a, b —
 * completed: a = result JSON ('' unchanged); failed: a = error JSON;
 * cancelled: a = error JSON ('' keeps the job's error); retry: a = delayMs,
 * b = error JSON; release: nothing; start: a = leaseMs.
 * Returns 1 (written) or 0 (fence rejected) per settlement.
 */
export const SETTLE_JOBS = `${PRELUDE}
local now = clock()
local results = {}
for n = 1, tonumber(ARGV[1]) do
  local at = 2 + (n - 1) * 5
  local id, token, outcome, a, b = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  local j = load(id)
  if j and j.status == 'running' and tonumber(j.leaseToken) == tonumber(token)
    and (outcome ~= 'start' or j.reserved == '1') then
    local c = {}
    if outcome == 'start' then
      c.reserved = '0'
      c.attempt = fmt(tonumber(j.attempt) + 1)
      c.startedAt = fmt(now)
      c.leaseExpiresAt = fmt(now + tonumber(a))
    else
      c.leaseExpiresAt = false
      c.workerId = false
      c.reserved = '0'
      if outcome == 'completed' then
        c.status = 'completed'
        setJson(c, 'result', a)
        c.error = false
        if j.history and j.history ~= '' then c.history = appendHistory(j.history, attemptRecord(j, 'completed', nil, now)) end
        c.finishedAt = fmt(now)
        c.recovering = '0'
        c.cancelRequested = '0'
      elseif outcome == 'failed' then
        c.status = 'failed'
        setJson(c, 'error', a)
        c.history = appendHistory(j.history, attemptRecord(j, 'failed', a, now))
        c.finishedAt = fmt(now)
        c.recovering = '0'
      elseif outcome == 'cancelled' then
        c.status = 'cancelled'
        setJson(c, 'error', a)
        if j.reserved ~= '1' then c.history = appendHistory(j.history, attemptRecord(j, 'cancelled', a, now)) end
        c.finishedAt = fmt(now)
        c.recovering = '0'
      elseif outcome == 'retry' then
        c.status = 'scheduled'
        c.runAt = fmt(now + math.max(0, tonumber(a)))
        setJson(c, 'error', b)
        c.history = appendHistory(j.history, attemptRecord(j, 'failed', b, now))
        c.recovering = '0'
      else
        c.status = 'scheduled'
        if j.reserved ~= '1' then c.attempt = fmt(math.max(0, tonumber(j.attempt) - 1)) end
      end
    end
    write(j, c, now)
    results[#results + 1] = 1
  else
    results[#results + 1] = 0
  end
end
return results
`;
