-- The request of slot ARGV[1] has arrived: its slot counts from now, but at most one window
-- length after it was taken (as the in-process limiter does).
-- KEYS: the rolling windows; ARGV[1] the slot id, ARGV[1 + i] the length of KEYS[i] in
-- microseconds.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local s = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if s then
    s = tonumber(s)
    local moved = math.min(now, s + tonumber(ARGV[1 + i]))
    if moved > s then
      redis.call('ZADD', KEYS[i], 'XX', string.format('%.0f', moved), ARGV[1])
    end
  end
end
return 1
