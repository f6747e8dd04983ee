import { PRELUDE } from './prelude.js';

/**
 * A query: every filter of core's `matchesQuery`. Candidates come from the
 * smallest index that covers the filters: the key hash (`key`), a
 * schedule's id set (`scheduleId`), else the per-status-and-name id sets
 * (`ns:<status>:<name>`, every known name or status when not filtered).
 * `order: 'id'` merges those sets by id from the cursor and stops after
 * `limit + 1` matches (so the caller knows whether a page follows);
 * `order: 'claim'` reads every candidate and sorts (one page).
 *
 * ARGV[1]: the query as JSON (statuses, names, key, scheduleId, labels, parentIds, dueAt,
 * leaseExpiredAt, finishedBefore, order, limit, cursor; absent = no filter).
 * Returns the matched documents (flat field lists).
 */
export const QUERY_JOBS = `${PRELUDE}
local q = cjson.decode(ARGV[1])
local limit = q.limit
local function toSet(list)
  if not list then return nil end
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
local statusSet, nameSet, parentSet = toSet(q.statuses), toSet(q.names), toSet(q.parentIds)

local function matches(j)
  if statusSet and not statusSet[j.status] then return false end
  if nameSet and not nameSet[j.name] then return false end
  if q.key and j.key ~= q.key then return false end
  if q.scheduleId and j.scheduleId ~= q.scheduleId then return false end
  if q.labels then
    local held = j.labels and cjson.decode(j.labels) or {}
    for k, v in pairs(q.labels) do
      if held[k] ~= v then return false end
    end
  end
  if parentSet then
    local any = false
    for _, p in ipairs(j.parents and cjson.decode(j.parents) or {}) do
      if parentSet[p] then any = true end
    end
    if not any then return false end
  end
  if q.dueAt and tonumber(j.runAt) > q.dueAt then return false end
  if q.leaseExpiredAt and (not j.leaseExpiresAt or tonumber(j.leaseExpiresAt) >= q.leaseExpiredAt) then
    return false
  end
  if q.finishedBefore and (not j.finishedAt or tonumber(j.finishedAt) >= q.finishedBefore) then
    return false
  end
  return true
end

local sets = nil
local ids = nil
if q.key then
  local id = redis.call('HGET', P .. ':keys', q.key)
  ids = {}
  if id then ids[1] = id end
elseif q.scheduleId then
  sets = { P .. ':sc:' .. q.scheduleId }
else
  sets = {}
  local names = q.names or redis.call('SMEMBERS', P .. ':names')
  for _, name in ipairs(names) do
    for _, status in ipairs(q.statuses or STATUSES) do sets[#sets + 1] = nsKey(status, name) end
  end
end

local out = {}
if q.order == 'claim' then
  if not ids then
    ids = {}
    for _, s in ipairs(sets) do
      for _, id in ipairs(redis.call('ZRANGE', s, '-', '+', 'BYLEX')) do ids[#ids + 1] = id end
    end
  end
  local docs = {}
  for _, id in ipairs(ids) do
    local j = load(id)
    if j and matches(j) then docs[#docs + 1] = j end
  end
  for _, j in ipairs(docs) do j._p, j._r = tonumber(j.priority), tonumber(j.runAt) end
  table.sort(docs, function(a, b)
    if a._p ~= b._p then return a._p > b._p end
    if a._r ~= b._r then return a._r < b._r end
    return lt(a.id, b.id)
  end)
  for i = 1, math.min(limit, #docs) do
    local j = docs[i]
    j._p, j._r = nil, nil
    out[#out + 1] = flat(j)
  end
  return out
end

local cursor = q.cursor
if ids then
  for _, id in ipairs(ids) do
    local j = load(id)
    if j and (not cursor or lt(cursor, id)) and matches(j) then out[#out + 1] = flat(j) end
  end
  return out
end

local from = cursor and ('(' .. cursor) or '-'
local chunk = math.min(math.max(limit + 1, 64), 1000)
while true do
  local batch, bound = {}, nil
  for _, s in ipairs(sets) do
    local got = redis.call('ZRANGE', s, from, '+', 'BYLEX', 'LIMIT', 0, chunk)
    for _, id in ipairs(got) do batch[#batch + 1] = id end
    if #got == chunk and (bound == nil or lt(got[#got], bound)) then bound = got[#got] end
  end
  if #batch == 0 then break end
  table.sort(batch, lt)
  local last = nil
  for _, id in ipairs(batch) do
    if bound and lt(bound, id) then break end
    last = id
    local j = load(id)
    if j and matches(j) then
      out[#out + 1] = flat(j)
      if #out > limit then return out end
    end
  end
  if not bound then break end
  from = '(' .. last
end
return out
`;
