--[[ queueAck-1: the holder is done with an interaction: it leaves the queue (XACK and XDEL).
  Anyone else's ack changes nothing.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group   ARGV[2] consumer (node<N>)   ARGV[3] interaction id
  Returns 1   removed
          0   the node does not hold it (another does, it is waiting, done or unknown)
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)[1]
if not p or p[2] ~= ARGV[2] then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
return 1
