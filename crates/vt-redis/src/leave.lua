-- A waiter gave up (its future was dropped): it leaves the queue at once rather than when its
-- lease runs out. KEYS[1] queue, KEYS[2] leases; ARGV[1] the ticket.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
