import { HISTORY_LIMIT } from '@jobservice/core';

/**
 * The Lua every script starts with: the key layout, the store clock, number
 * formatting, loading and writing one job hash, and index upkeep. A script
 * gets one declared key, `<prefix>:clock`, and derives every other key from
 * it, so all keys share the `{prefix}` hash tag (one cluster slot).
 *
 * A job is one hash `<prefix>:job:<id>`: text fields raw, numbers as decimal
 * text, booleans `1`/`0`, JSON fields as JSON text, `history` as one JSON
 * record per line; a null field is absent.
 */
export const PRELUDE = `
local P = string.sub(KEYS[1], 1, -7)
local HISTORY_LIMIT = ${HISTORY_LIMIT}
local TERMINAL = { completed = true, failed = true, cancelled = true }
local STATUSES = { 'waiting', 'scheduled', 'running', 'completed', 'failed', 'cancelled' }

local function fmt(n)
  if n == 0 then return '0' end
  if n == math.floor(n) and n > -1e17 and n < 1e17 then return string.format('%.0f', n) end
  return string.format('%.17g', n)
end

local function clock()
  local t = redis.call('TIME')
  local offset = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + offset
end

-- Byte order, as sorted sets compare (never the locale's collation).
local function lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function jobKey(id) return P .. ':job:' .. id end
local function nsKey(status, name) return P .. ':ns:' .. status .. ':' .. name end

local function load(id)
  local flat = redis.call('HGETALL', jobKey(id))
  if #flat == 0 then return nil end
  local j = {}
  for i = 1, #flat, 2 do j[flat[i]] = flat[i + 1] end
  return j
end

local function flat(j)
  local out = {}
  for k, v in pairs(j) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end

-- Claim order as one byte string: inverted priority, runAt, id.
local function readyMember(id, priority, runAt)
  local pr = 2147483647 - math.floor(tonumber(priority))
  local ra = math.max(0, math.floor(tonumber(runAt)) + 140737488355328)
  return string.format('%08x', pr) .. string.format('%014x', ra) .. id
end

local function removeAll(key, members)
  for i = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members)))
  end
end

local function unindex(j)
  local id = j.id
  redis.call('ZREM', nsKey(j.status, j.name), id)
  local field = j.status .. ':' .. j.name
  if redis.call('HINCRBY', P .. ':count', field, -1) <= 0 then redis.call('HDEL', P .. ':count', field) end
  if j.status == 'scheduled' then
    redis.call('ZREM', P .. ':delayed:' .. j.name, id)
    redis.call('ZREM', P .. ':ready:' .. j.name, readyMember(id, j.priority, j.runAt))
  elseif j.status == 'running' then
    redis.call('ZREM', P .. ':running', id)
  elseif TERMINAL[j.status] then
    redis.call('ZREM', P .. ':finished', id)
  end
  if j.scheduleId then redis.call('ZREM', P .. ':sc:' .. j.scheduleId, id) end
end

local function index(j, now)
  local id = j.id
  redis.call('ZADD', nsKey(j.status, j.name), '0', id)
  redis.call('HINCRBY', P .. ':count', j.status .. ':' .. j.name, 1)
  redis.call('SADD', P .. ':names', j.name)
  if j.status == 'scheduled' then
    if tonumber(j.runAt) <= now then
      redis.call('ZADD', P .. ':ready:' .. j.name, '0', readyMember(id, j.priority, j.runAt))
    else
      redis.call('ZADD', P .. ':delayed:' .. j.name, j.runAt, id)
    end
  elseif j.status == 'running' then
    redis.call('ZADD', P .. ':running', j.leaseExpiresAt or '+inf', id)
  elseif TERMINAL[j.status] and j.finishedAt then
    redis.call('ZADD', P .. ':finished', j.finishedAt, id)
  end
  if j.scheduleId then redis.call('ZADD', P .. ':sc:' .. j.scheduleId, '0', id) end
end

local function publish(j)
  redis.call('PUBLISH', P .. ':changes',
    cjson.encode({ id = j.id, status = j.status, cancelRequested = j.cancelRequested == '1' }))
end

-- Applies changes (field -> text, false for null) as one compare-and-set
-- write: version + 1, updatedAt = now, indexes moved, the change published.
local function write(j, changes, now)
  local old = {}
  for k, v in pairs(j) do old[k] = v end
  local sets, dels = {}, {}
  for f, v in pairs(changes) do
    if v == false then
      if j[f] ~= nil then dels[#dels + 1] = f end
      j[f] = nil
    else
      sets[#sets + 1] = f
      sets[#sets + 1] = v
      j[f] = v
    end
  end
  j.version = fmt(tonumber(j.version) + 1)
  j.updatedAt = fmt(now)
  sets[#sets + 1] = 'version'
  sets[#sets + 1] = j.version
  sets[#sets + 1] = 'updatedAt'
  sets[#sets + 1] = j.updatedAt
  local key = jobKey(j.id)
  redis.call('HSET', key, unpack(sets))
  if #dels > 0 then redis.call('HDEL', key, unpack(dels)) end
  unindex(old)
  index(j, now)
  if old.status ~= j.status or old.cancelRequested ~= j.cancelRequested then publish(j) end
  return j
end

local function remove(j)
  unindex(j)
  redis.call('DEL', jobKey(j.id))
  if j.key and redis.call('HGET', P .. ':keys', j.key) == j.id then redis.call('HDEL', P .. ':keys', j.key) end
end

-- A JSON string literal for text built here (error messages).
local function jstr(s)
  local escaped = string.gsub(s, '[%c"\\\\]', function(c)
    if c == '"' then return '\\\\"' end
    if c == '\\\\' then return '\\\\\\\\' end
    return string.format('\\\\u%04x', string.byte(c))
  end)
  return '"' .. escaped .. '"'
end

local function appendHistory(history, record)
  if not history or history == '' then return record end
  local lines = 1
  for _ in string.gmatch(history, '\\n') do lines = lines + 1 end
  local out = history .. '\\n' .. record
  lines = lines + 1
  while lines > HISTORY_LIMIT do
    out = string.sub(out, string.find(out, '\\n', 1, true) + 1)
    lines = lines - 1
  end
  return out
end

-- The history record of j's current attempt (core's attemptRecord); errorJson '' or nil for none.
local function attemptRecord(j, outcome, errorJson, now)
  if errorJson == nil or errorJson == '' then errorJson = 'null' end
  local worker = 'null'
  if j.workerId then worker = jstr(j.workerId) end
  return '{"attempt":' .. j.attempt .. ',"outcome":"' .. outcome .. '","startedAt":' .. (j.startedAt or 'null')
    .. ',"workerId":' .. worker .. ',"error":' .. errorJson .. ',"at":' .. fmt(now) .. '}'
end

-- A JSON argument: '' leaves the field as it is, 'null' clears it.
local function setJson(changes, field, value)
  if value == '' then return end
  if value == 'null' then changes[field] = false else changes[field] = value end
end
`;
