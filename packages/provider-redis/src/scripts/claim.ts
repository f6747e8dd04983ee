import { PRELUDE } from './prelude.js';

/**
 * Claims up to `limit` due scheduled jobs of the given names in claim order
 * (priority desc, runAt, id), as core's `claimPatch` and `claimStarter`: the
 * first `start` start now (attempt + 1, startedAt = now), the next
 * `startAhead` start only when not recovering and `attempt + 2 <=
 * maxAttempts`, the rest are reserved.
 *
 * Delayed jobs that became due move from `delayed:<name>` (by runAt) to
 * `ready:<name>` (members in claim order) first; the best `limit` of each
 * name's ready set are merged.
 *
 * ARGV: limit, start, startAhead, leaseMs, workerId, names...
 * Returns the claimed documents (flat field lists), in claim order.
 */
export const CLAIM_JOBS = `${PRELUDE}
local now = clock()
local limit = tonumber(ARGV[1])
local start = tonumber(ARGV[2])
local stop = start + tonumber(ARGV[3])
local leaseMs = tonumber(ARGV[4])
local worker = ARGV[5]
local candidates = {}
for i = 6, #ARGV do
  local name = ARGV[i]
  local delayedKey = P .. ':delayed:' .. name
  local readyKey = P .. ':ready:' .. name
  local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', fmt(now))
  for _, id in ipairs(due) do
    local f = redis.call('HMGET', jobKey(id), 'priority', 'runAt')
    if f[1] then redis.call('ZADD', readyKey, '0', readyMember(id, f[1], f[2])) end
  end
  removeAll(delayedKey, due)
  local best = redis.call('ZRANGE', readyKey, '-', '+', 'BYLEX', 'LIMIT', 0, limit)
  for _, member in ipairs(best) do candidates[#candidates + 1] = { member, readyKey } end
end
table.sort(candidates, function(a, b) return lt(a[1], b[1]) end)
local out = {}
for _, c in ipairs(candidates) do
  if #out >= limit then break end
  local j = load(string.sub(c[1], 23))
  if j and j.status == 'scheduled' then
    local index0 = #out
    local starts = index0 < start or (index0 < stop and j.recovering ~= '1'
      and tonumber(j.attempt) + 2 <= tonumber(j.maxAttempts))
    local changes = {
      status = 'running',
      leaseToken = fmt(tonumber(j.leaseToken) + 1),
      leaseExpiresAt = fmt(now + leaseMs),
      workerId = worker,
      reserved = starts and '0' or '1',
    }
    if starts then
      changes.attempt = fmt(tonumber(j.attempt) + 1)
      changes.startedAt = fmt(now)
    end
    out[#out + 1] = flat(write(j, changes, now))
  else
    redis.call('ZREM', c[2], c[1])
  end
end
return out
`;
