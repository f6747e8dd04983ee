import { PRELUDE } from './prelude.js';

/**
 * Heartbeats, each fenced by id + leaseToken + status running: a new lease
 * expiry (`now + leaseMs`) and, when given, progress (core's `extendPatch`).
 *
 * ARGV: count, then per extension: id, leaseToken, leaseMs, progress JSON
 * ('' unchanged). Returns per extension `{ ok, cancelRequested }` as 1/0.
 */
export const EXTEND_LEASES = `${PRELUDE}
local now = clock()
local results = {}
for n = 1, tonumber(ARGV[1]) do
  local at = 2 + (n - 1) * 4
  local j = load(ARGV[at])
  if j and j.status == 'running' and tonumber(j.leaseToken) == tonumber(ARGV[at + 1]) then
    local c = { leaseExpiresAt = fmt(now + tonumber(ARGV[at + 2])) }
    setJson(c, 'progress', ARGV[at + 3])
    write(j, c, now)
    results[#results + 1] = { 1, j.cancelRequested == '1' and 1 or 0 }
  else
    results[#results + 1] = { 0, 0 }
  end
end
return results
`;

/**
 * The reaper: up to ARGV[1] running jobs whose lease lapsed before now,
 * each guarded at write time (running AND leaseExpiresAt < now) and
 * written as core's `recoverPatch`. Returns the documents after the write.
 */
export const RECOVER_JOBS = `${PRELUDE}
local now = clock()
local ids = redis.call('ZRANGEBYSCORE', P .. ':running', '-inf', '(' .. fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local j = load(id)
  if j and j.status == 'running' and j.leaseExpiresAt and tonumber(j.leaseExpiresAt) < now then
    local c = { leaseExpiresAt = false, workerId = false, reserved = '0' }
    local worker = j.workerId or 'unknown'
    if j.cancelRequested == '1' then
      c.status = 'cancelled'
      c.finishedAt = fmt(now)
      c.error = '{"message":' .. jstr('cancelled: its worker ' .. worker .. ' lost the lease') .. '}'
      if j.reserved ~= '1' then c.history = appendHistory(j.history, attemptRecord(j, 'lease-expired', c.error, now)) end
    elseif j.reserved == '1' then
      c.status = 'scheduled'
    else
      local err = '{"message":' .. jstr('lease expired on worker ' .. worker .. ' (attempt ' .. j.attempt .. ')') .. '}'
      c.error = err
      c.history = appendHistory(j.history, attemptRecord(j, 'lease-expired', err, now))
      c.recovering = '1'
      if tonumber(j.attempt) >= tonumber(j.maxAttempts) then
        c.status = 'failed'
        c.finishedAt = fmt(now)
      else
        c.status = 'scheduled'
      end
    end
    out[#out + 1] = flat(write(j, c, now))
  elseif not j then
    redis.call('ZREM', P .. ':running', id)
  end
end
return out
`;
