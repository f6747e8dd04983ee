import { PRELUDE } from './prelude.js';

/**
 * Compare-and-set: applies the patch only when the stored version equals
 * the expected one (`version + 1`, `updatedAt = now`, indexes moved).
 *
 * ARGV: id, expectedVersion, set count, field/value pairs, then fields to
 * clear (null). Returns the document after the write (flat field list), or
 * false when the version did not match or the job is gone.
 */
export const UPDATE_JOB = `${PRELUDE}
local j = load(ARGV[1])
if not j or tonumber(j.version) ~= tonumber(ARGV[2]) then return false end
local now = clock()
local changes = {}
local count = tonumber(ARGV[3])
for i = 4, 3 + count * 2, 2 do changes[ARGV[i]] = ARGV[i + 1] end
for i = 4 + count * 2, #ARGV do changes[ARGV[i]] = false end
return flat(write(j, changes, now))
`;

/**
 * Deletes one job (guarded by version when ARGV[2] is not ''), frees its
 * key and takes it out of every index. Returns 1 when deleted, else 0.
 */
export const DELETE_JOB = `${PRELUDE}
local j = load(ARGV[1])
if not j or (ARGV[2] ~= '' and tonumber(j.version) ~= tonumber(ARGV[2])) then return 0 end
remove(j)
return 1
`;

/**
 * Retention: deletes up to ARGV[2] terminal jobs whose finishedAt is before
 * ARGV[1], from the finished index. Returns how many.
 */
export const PRUNE_JOBS = `${PRELUDE}
local before = tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', P .. ':finished', '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local deleted = 0
for _, id in ipairs(ids) do
  local j = load(id)
  if j and TERMINAL[j.status] and j.finishedAt and tonumber(j.finishedAt) < before then
    remove(j)
    deleted = deleted + 1
  elseif not j then
    redis.call('ZREM', P .. ':finished', id)
  end
end
return deleted
`;

/** The store clock: Redis TIME plus the stored test offset (epoch ms, as text). */
export const READ_CLOCK = `${PRELUDE}
return fmt(clock())
`;
