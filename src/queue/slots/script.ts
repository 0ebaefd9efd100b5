/** How many waiters of a group get their `N ahead` rewritten when the line moves. */
export const LINE_SHOWN = 5;

/**
 * Slot accounting in one Lua script, so no two workers ever see half an update. Every
 * key starts with KEYS[1] (the base, which holds one hash tag), so the script is
 * cluster-safe: all of its keys live in one hash slot.
 *
 *   <base>:b:<id>      hash: seq, g (group key or ''), name, limit, cip, repo, rcap, owner, ocap, state
 *   <base>:w           zset: every waiting build by request order (seq); <base>:nw those without a group
 *   <base>:groups      set: groups with waiters
 *   <base>:held        set: every build holding its slots
 *   <base>:gw:<g>      zset: waiters of one group      <base>:gh:<g>  set: its holders
 *   <base>:rw:<repo>   zset: waiters of one repository <base>:rh:<repo> set: its holders
 *   <base>:oh:<owner>  set: holders of one owner
 *   <base>:seq         the request counter; <base>:p:<repo> zset: requested builds not yet in line
 *   <base>:pr          hash: id → repo of those (so release finds them)
 *   <base>:pw:<owner>  zset: builds parked before planning because their repository or owner
 *                      was full; <base>:pwr / <base>:pwo hash: id → their repository / owner
 *
 * ARGV[1] is the operation:
 *   enqueue id repo                                     → seq (the build's place in line)
 *   acquire id seq g name limit cip repo rcap owner ocap → {state, cap, ahead, moved, granted..., '|', older...}
 *   release id                                          → {granted..., '|', group key, group name, line...}
 *   arrive id seq repo owner rcap ocap                  → like acquire for a build already known; else
 *                                                         'gated' (parked before reading the pipeline: its
 *                                                         repository or owner is full) or 'free' (go on)
 *   peek id                                             → like arrive for a known build, changing nothing
 * `granted` are other builds that got their slots in this call (their workers must be woken);
 * `older` (cancel-in-progress) are the group's builds requested before this one; `moved`: how
 * many of the group's first LINE_SHOWN waiters are behind a build that just joined (their
 * `N ahead` grew); `line`: the group's first LINE_SHOWN waiters once the slots were given out.
 */
export const SLOTS_SCRIPT = `
local base = KEYS[1]
local op = ARGV[1]
local MAXSCAN = 5000
local SHOWN = ${LINE_SHOWN}

local function bkey(id) return base .. ':b:' .. id end

-- Takes a build out of every line it waits in (all, ungrouped, its group's, its repository's).
local function leaveLines(id, g, repo)
  redis.call('ZREM', base .. ':w', id)
  redis.call('ZREM', base .. ':nw', id)
  if g ~= '' then redis.call('ZREM', base .. ':gw:' .. g, id) end
  redis.call('ZREM', base .. ':rw:' .. repo, id)
end

local function grant(id, g, repo, owner)
  leaveLines(id, g, repo)
  if g ~= '' then redis.call('SADD', base .. ':gh:' .. g, id) end
  redis.call('SADD', base .. ':rh:' .. repo, id)
  redis.call('SADD', base .. ':oh:' .. owner, id)
  redis.call('SADD', base .. ':held', id)
  redis.call('HSET', bkey(id), 'state', 'holding')
end

-- Whether a waiter may take its slots now (its group, repository and owner have room,
-- and no build of its repository requested before it is still to join the line).
local function free(id, g, limit, repo, rcap, owner, ocap)
  if g ~= '' then
    local first = redis.call('ZRANGE', base .. ':p:' .. repo, 0, 0, 'WITHSCORES')
    if first[2] and tonumber(first[2]) < tonumber(redis.call('HGET', bkey(id), 'seq')) then return false end
    if redis.call('SCARD', base .. ':gh:' .. g) >= limit then return false end
  end
  return redis.call('SCARD', base .. ':rh:' .. repo) < rcap
    and redis.call('SCARD', base .. ':oh:' .. owner) < ocap
end

local function fields(id)
  local h = redis.call('HMGET', bkey(id), 'g', 'limit', 'repo', 'rcap', 'owner', 'ocap')
  return h[1], tonumber(h[2]), h[3], tonumber(h[4]), h[5], tonumber(h[6])
end

-- Grants slots in request order: the head of each group's line (a group's builds start
-- strictly in order), then builds without a group; work is per group, not per waiter.
local function schedule()
  local granted = {}
  local heads = {}
  for _, g in ipairs(redis.call('SMEMBERS', base .. ':groups')) do
    local h = redis.call('ZRANGE', base .. ':gw:' .. g, 0, 0, 'WITHSCORES')
    if h[1] then table.insert(heads, {tonumber(h[2]), g})
    else redis.call('SREM', base .. ':groups', g) end
  end
  table.sort(heads, function(x, y) return x[1] < y[1] end)
  for _, head in ipairs(heads) do
    local g = head[2]
    while true do
      local id = redis.call('ZRANGE', base .. ':gw:' .. g, 0, 0)[1]
      if not id then break end
      local _, limit, repo, rcap, owner, ocap = fields(id)
      if not repo then
        redis.call('ZREM', base .. ':gw:' .. g, id)
        redis.call('ZREM', base .. ':w', id)
      elseif free(id, g, limit, repo, rcap, owner, ocap) then
        grant(id, g, repo, owner)
        table.insert(granted, id)
      else break end
    end
  end
  local full = {}
  for _, id in ipairs(redis.call('ZRANGE', base .. ':nw', 0, MAXSCAN - 1)) do
    local _, limit, repo, rcap, owner, ocap = fields(id)
    if not repo then redis.call('ZREM', base .. ':nw', id)
    elseif not full[repo] and not full[owner] then
      if free(id, '', limit, repo, rcap, owner, ocap) then
        grant(id, '', repo, owner)
        table.insert(granted, id)
      elseif redis.call('SCARD', base .. ':oh:' .. owner) >= ocap then full[owner] = true
      else full[repo] = true end
    end
  end
  return granted
end

-- What a waiting build waits on, and how many wait before it there.
local function why(id)
  local h = redis.call('HMGET', bkey(id), 'g', 'limit', 'repo', 'rcap', 'owner', 'ocap')
  local g, limit, repo, rcap, owner, ocap = h[1], tonumber(h[2]), h[3], tonumber(h[4]), h[5], tonumber(h[6])
  if g ~= '' then
    local ahead = redis.call('ZRANK', base .. ':gw:' .. g, id)
    if ahead > 0 or redis.call('SCARD', base .. ':gh:' .. g) >= limit then return {'group', ahead} end
  end
  if redis.call('SCARD', base .. ':rh:' .. repo) >= rcap then
    return {'repository', redis.call('ZRANK', base .. ':rw:' .. repo, id)}
  end
  return {'owner', redis.call('ZRANK', base .. ':w', id)}
end

local function answer(id, granted, older, moved)
  local state = redis.call('HGET', bkey(id), 'state')
  local out
  if state == 'holding' then out = {'holding', '', 0, 0}
  else
    local w = why(id)
    out = {'waiting', w[1], w[2], moved or 0}
  end
  for _, g in ipairs(granted) do if g ~= id then table.insert(out, g) end end
  table.insert(out, '|')
  for _, o in ipairs(older or {}) do table.insert(out, o) end
  return out
end

local function ungate(id)
  local owner = redis.call('HGET', base .. ':pwo', id)
  if owner then
    redis.call('ZREM', base .. ':pw:' .. owner, id)
    redis.call('HDEL', base .. ':pwo', id)
    redis.call('HDEL', base .. ':pwr', id)
  end
end

-- Builds parked before planning whose repository and owner now have room: wake them to try.
local function wakeGated(owner, rcap, ocap, out)
  if not owner then return end
  local room = ocap - redis.call('SCARD', base .. ':oh:' .. owner)
  local taken = {}
  for _, id in ipairs(redis.call('ZRANGE', base .. ':pw:' .. owner, 0, 99)) do
    if room <= 0 then break end
    local repo = redis.call('HGET', base .. ':pwr', id) or ''
    local used = (taken[repo] or 0) + redis.call('SCARD', base .. ':rh:' .. repo)
    if used < rcap then
      taken[repo] = (taken[repo] or 0) + 1
      room = room - 1
      ungate(id)
      table.insert(out, id)
    end
  end
end

local function unpend(id)
  local repo = redis.call('HGET', base .. ':pr', id)
  if repo then
    redis.call('ZREM', base .. ':p:' .. repo, id)
    redis.call('HDEL', base .. ':pr', id)
  end
end

if op == 'enqueue' then
  local seq = redis.call('INCR', base .. ':seq')
  redis.call('ZADD', base .. ':p:' .. ARGV[3], seq, ARGV[2])
  redis.call('HSET', base .. ':pr', ARGV[2], ARGV[3])
  return seq
end

-- A build not in line yet, before its pipeline is read: nil when its repository and owner
-- have room, else it is parked until a slot there frees: {the cap that is full, builds parked before it}.
local function gate(id, seq, repo, owner, rcap, ocap)
  if redis.call('SCARD', base .. ':rh:' .. repo) < rcap and redis.call('SCARD', base .. ':oh:' .. owner) < ocap then
    ungate(id)
    return nil
  end
  redis.call('ZADD', base .. ':pw:' .. owner, seq, id)
  redis.call('HSET', base .. ':pwr', id, repo)
  redis.call('HSET', base .. ':pwo', id, owner)
  local full = redis.call('SCARD', base .. ':rh:' .. repo) >= rcap and 'repository' or 'owner'
  local ahead = 0
  for _, o in ipairs(redis.call('ZRANGEBYSCORE', base .. ':pw:' .. owner, '-inf', '(' .. seq)) do
    if full == 'owner' or redis.call('HGET', base .. ':pwr', o) == repo then ahead = ahead + 1 end
  end
  return {full, ahead}
end

if op == 'arrive' then
  local id = ARGV[2]
  if redis.call('EXISTS', bkey(id)) == 1 then
    redis.call('HSET', bkey(id), 'rcap', ARGV[6], 'ocap', ARGV[7])
    return answer(id, schedule(), {})
  end
  local parked = gate(id, ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]))
  if parked then return {'gated', parked[1], parked[2], 0, '|'} end
  return {'free', '', 0, 0, '|'}
end

if op == 'acquire' then
  local id = ARGV[2]
  ungate(id)
  local key = bkey(id)
  local g, cip, repo, owner = ARGV[4], ARGV[7], ARGV[8], ARGV[10]
  unpend(id)
  if redis.call('EXISTS', key) == 0 then
    local seq = tonumber(ARGV[3])
    redis.call('HSET', key, 'seq', seq, 'g', g, 'name', ARGV[5], 'limit', ARGV[6], 'cip', cip,
      'repo', repo, 'rcap', ARGV[9], 'owner', owner, 'ocap', ARGV[11], 'state', 'waiting')
    redis.call('ZADD', base .. ':w', seq, id)
    if g ~= '' then
      redis.call('ZADD', base .. ':gw:' .. g, seq, id)
      redis.call('SADD', base .. ':groups', g)
    else
      redis.call('ZADD', base .. ':nw', seq, id)
    end
    redis.call('ZADD', base .. ':rw:' .. repo, seq, id)
  else
    redis.call('HSET', key, 'rcap', ARGV[9], 'ocap', ARGV[11])
  end
  local older = {}
  local moved = 0
  if g ~= '' then
    local rank = redis.call('ZRANK', base .. ':gw:' .. g, id)
    if rank and rank < SHOWN - 1 then
      moved = math.min(redis.call('ZCARD', base .. ':gw:' .. g), SHOWN) - 1 - rank
    end
  end
  if cip == '1' and g ~= '' then
    local seq = tonumber(redis.call('HGET', key, 'seq'))
    for _, o in ipairs(redis.call('ZRANGEBYSCORE', base .. ':gw:' .. g, '-inf', '(' .. seq)) do
      table.insert(older, o)
    end
    for _, o in ipairs(redis.call('SMEMBERS', base .. ':gh:' .. g)) do
      if tonumber(redis.call('HGET', bkey(o), 'seq') or '0') < seq then table.insert(older, o) end
    end
  end
  local granted = schedule()
  -- Waiters behind it whose place it took are counted once it is known whether it waits.
  if redis.call('HGET', key, 'state') == 'holding' then moved = 0 end
  return answer(id, granted, older, moved)
end

if op == 'peek' then
  if redis.call('EXISTS', bkey(ARGV[2])) == 0 then return {'unknown', '', 0, 0, '|'} end
  return answer(ARGV[2], {}, {})
end

if op == 'release' then
  local id = ARGV[2]
  local key = bkey(id)
  unpend(id)
  ungate(id)
  local h = redis.call('HMGET', key, 'g', 'repo', 'owner', 'name', 'rcap', 'ocap')
  local group, name = '', ''
  if h[2] then
    group, name = h[1], h[4]
    local g, repo, owner = h[1], h[2], h[3]
    leaveLines(id, g, repo)
    redis.call('SREM', base .. ':held', id)
    if g ~= '' then redis.call('SREM', base .. ':gh:' .. g, id) end
    redis.call('SREM', base .. ':rh:' .. repo, id)
    redis.call('SREM', base .. ':oh:' .. owner, id)
    redis.call('DEL', key)
  end
  local out = schedule()
  if h[3] then wakeGated(h[3], tonumber(h[5]), tonumber(h[6]), out) end
  table.insert(out, '|')
  table.insert(out, group)
  table.insert(out, name)
  if group ~= '' then
    for _, w in ipairs(redis.call('ZRANGE', base .. ':gw:' .. group, 0, SHOWN - 1)) do table.insert(out, w) end
  end
  return out
end

return redis.error_reply('unknown slots operation ' .. tostring(op))
`;
