-- Takes a slot in every window of one rate-limit spec, or says how long to wait.
-- Atomic (one script); time is the Redis server's, so machines with skewed clocks agree.
--
-- KEYS[1] epoch (a value that changes when Redis lost its data)
-- KEYS[2] hold (no admission before this time: set after a data loss)
-- KEYS[3] queue (sorted set: ticket -> when it started waiting)
-- KEYS[4] leases (sorted set: ticket -> when it is forgotten unless it asks again)
-- KEYS[5 .. 4+R] rolling windows (sorted sets: slot id -> time the slot counts from)
-- KEYS[5+R .. 4+R+C] calendar counters (one per day or month)
-- ARGV[1] R, ARGV[2] C, ARGV[3] the epoch the caller saw last ('' if none),
-- ARGV[4] the caller's ticket (also its slot id), ARGV[5] lease margin (microseconds),
-- then R pairs (window length in microseconds, count), then C pairs (count, expiry in Unix
-- seconds).
-- Returns {kind, number, epoch}: {'admitted', 0, e}, {'wait', microseconds, e} or
-- {'exhausted', index of the spent calendar window (from 1), e}.
local function num(n) return string.format('%.0f', n) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local R = tonumber(ARGV[1])
local C = tonumber(ARGV[2])
local known = ARGV[3]
local ticket = ARGV[4]
local margin = tonumber(ARGV[5])
local rbase = 5
local cbase = 5 + 2 * R

local maxlen = 0
for i = 1, R do
  local len = tonumber(ARGV[rbase + 2 * i - 1])
  if len > maxlen then maxlen = len end
end

local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = num(now)
  redis.call('SET', KEYS[1], epoch)
  if known ~= '' then
    -- Redis lost the windows while this fleet was running: admissions of the last window
    -- length are unknown, so nobody is admitted before one whole window has passed.
    redis.call('SET', KEYS[2], num(now + maxlen), 'PX', math.floor(maxlen / 1000) + 1000)
  end
end

local function leave()
  redis.call('ZREM', KEYS[3], ticket)
  redis.call('ZREM', KEYS[4], ticket)
end

for i = 1, C do
  local used = tonumber(redis.call('GET', KEYS[4 + R + i]) or '0')
  if used >= tonumber(ARGV[cbase + 2 * i - 1]) then
    leave()
    return {'exhausted', i, epoch}
  end
end

-- The queue, first come first served: forget waiters that stopped asking (a killed process).
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', num(now))
for _, m in ipairs(expired) do redis.call('ZREM', KEYS[3], m) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', num(now))
redis.call('ZADD', KEYS[3], 'NX', num(now), ticket)

-- Waiters ahead of this one take the first free slots; this one needs the next.
local rank = redis.call('ZRANK', KEYS[3], ticket)
local wait = 0
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then wait = hold - now end
for i = 1, R do
  local key = KEYS[4 + i]
  local len = tonumber(ARGV[rbase + 2 * i - 1])
  local count = tonumber(ARGV[rbase + 2 * i])
  -- A slot taken at s counts while s + len > now.
  redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now - len))
  local card = redis.call('ZCARD', key)
  -- Free for this waiter once the entry at idx (ascending) has expired: then at most
  -- count - 1 - rank remain, leaving room for the rank waiters ahead and this one.
  local idx = card - count + rank
  local w = 0
  if idx >= card then
    local last = now
    if card > 0 then
      last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
    end
    w = last + len * (1 + math.floor((idx - card) / count)) - now
  elseif idx >= 0 then
    local e = redis.call('ZRANGE', key, idx, idx, 'WITHSCORES')
    w = tonumber(e[2]) + len - now
  end
  if w > wait then wait = w end
end
if rank > 0 and wait < 1000 then
  -- Not the head of the queue, which is about to take its slot: ask again very soon.
  wait = 1000
end
if wait > 0 then
  local lease = now + wait + margin
  redis.call('ZADD', KEYS[4], num(lease), ticket)
  local ttl = math.floor((wait + margin) / 1000) + 1000
  for k = 3, 4 do
    if redis.call('PTTL', KEYS[k]) < ttl then redis.call('PEXPIRE', KEYS[k], ttl) end
  end
  return {'wait', wait, epoch}
end

for i = 1, R do
  local key = KEYS[4 + i]
  local len = tonumber(ARGV[rbase + 2 * i - 1])
  redis.call('ZADD', key, num(now), ticket)
  redis.call('PEXPIRE', key, math.floor(2 * len / 1000) + 1000)
end
for i = 1, C do
  local key = KEYS[4 + R + i]
  redis.call('INCR', key)
  redis.call('EXPIREAT', key, ARGV[cbase + 2 * i])
end
leave()
return {'admitted', 0, epoch}
