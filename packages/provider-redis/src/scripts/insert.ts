import { PRELUDE } from './prelude.js';

/**
 * Inserts jobs in order, each unless its key or id is taken (then it
 * reports the existing id, `created = 0`); the first of two equal keys
 * wins. Computes `runAt` (given, or `now + delayMs`), `createdAt` and
 * `updatedAt` from the store clock. When `bells` is not empty and a job was
 * created, publishes them on the bell channel in the same script.
 *
 * ARGV: bells payload ('' for none), job count, then per job: runAt ('' for
 * none), delayMs, field count, field/value pairs.
 * Returns: per job `{ id, created }`.
 */
export const INSERT_JOBS = `${PRELUDE}
local now = clock()
local results = {}
local anyCreated = false
local at = 3
for n = 1, tonumber(ARGV[2]) do
  local runAt, delayMs, count = ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  local j = {}
  local pairsList = {}
  for i = at + 3, at + 2 + count * 2, 2 do
    j[ARGV[i]] = ARGV[i + 1]
    pairsList[#pairsList + 1] = ARGV[i]
    pairsList[#pairsList + 1] = ARGV[i + 1]
  end
  at = at + 3 + count * 2
  local existing = false
  if j.key then existing = redis.call('HGET', P .. ':keys', j.key) end
  if existing then
    results[#results + 1] = { existing, 0 }
  elseif redis.call('EXISTS', jobKey(j.id)) == 1 then
    results[#results + 1] = { j.id, 0 }
  else
    if runAt == '' then runAt = fmt(now + tonumber(delayMs)) end
    j.runAt = runAt
    j.createdAt = fmt(now)
    j.updatedAt = j.createdAt
    redis.call('HSET', jobKey(j.id), 'runAt', j.runAt, 'createdAt', j.createdAt, 'updatedAt', j.updatedAt,
      unpack(pairsList))
    if j.key then redis.call('HSET', P .. ':keys', j.key, j.id) end
    index(j, now)
    publish(j)
    anyCreated = true
    results[#results + 1] = { j.id, 1 }
  end
end
if anyCreated and ARGV[1] ~= '' then redis.call('PUBLISH', P .. ':bells', ARGV[1]) end
return results
`;
