--[[ queueDepth-1: a queue's depth, both counts read at one moment. Acknowledged entries are deleted,
  so the stream holds exactly the waiting and the held ones.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group
  Returns {waiting, held}
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0, 0 } end
local held = redis.call('XPENDING', KEYS[1], ARGV[1])[1]
return { redis.call('XLEN', KEYS[1]) - held, held }
