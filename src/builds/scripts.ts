/**
 * Lua run atomically in Redis. CREATE reserves a build for a request in one step,
 * so concurrent identical requests (same delivery, or same forge/repo/sha/environment)
 * make one build. KEYS: build, refCounter, history, recent, active, delivery, dedupe,
 * repo's active, lane (every key a real one under the prefix's hash tag: a Redis Cluster
 * refuses an empty name in another slot).
 * ARGV: build key prefix (`keys.builds.buildPrefix`), id, record template (`"buildRef":0` first), now ms, retention ms, rerun 1|0,
 * 1|0 whether the request has a delivery id (else KEYS[6] is not used).
 * History scores are creation times, nudged so the newest build always sorts last.
 * Returns {id, 'created'|'joined'|'delivery', buildRef?}.
 */
export const CREATE = `
local buildKey, id, tpl, now, ttl, rerun = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local delivery = ARGV[7] == '1' and KEYS[6] or nil
local function active(other)
  local s = redis.call('HGET', buildKey .. other, 'state')
  return s == 'queued' or s == 'running'
end
if delivery then
  local seen = redis.call('GET', delivery)
  if seen then return {seen, 'delivery'} end
end
if not rerun then
  local other = redis.call('GET', KEYS[7])
  if other and active(other) then
    if delivery then redis.call('SET', delivery, other, 'PX', ttl) end
    return {other, 'joined'}
  end
end
local ref = redis.call('INCR', KEYS[2])
local score = now
local top = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')
if top[2] and tonumber(top[2]) >= score then score = tonumber(top[2]) + 0.001 end
local record = (string.gsub(tpl, '"buildRef":0', '"buildRef":' .. ref, 1))
redis.call('HSET', KEYS[1], 'record', record, 'rev', 1, 'state', 'queued', 'owner', '')
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[3], score, id)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('ZADD', KEYS[4], score, id)
redis.call('ZADD', KEYS[5], score, id)
redis.call('ZADD', KEYS[8], score, id)
redis.call('PEXPIRE', KEYS[8], ttl)
redis.call('ZADD', KEYS[9], score, id)
redis.call('PEXPIRE', KEYS[9], ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - ttl)
redis.call('SET', KEYS[7], id, 'PX', ttl)
if delivery then redis.call('SET', delivery, id, 'PX', ttl) end
return {id, 'created', ref}
`;

/**
 * Compare-and-set of a record: writes only when `rev` is still ARGV[1].
 * KEYS: build, active, repo's active, lane. ARGV: expected rev, record, state, owner, retention ms, id, final 1|0.
 * Returns the new rev, 0 on conflict, -1 when the record is gone.
 */
export const UPDATE = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev then return -1 end
if rev ~= ARGV[1] then return 0 end
local next = tonumber(rev) + 1
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'rev', next, 'state', ARGV[3], 'owner', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if ARGV[7] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[6])
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('ZREM', KEYS[4], ARGV[6])
end
return next
`;
