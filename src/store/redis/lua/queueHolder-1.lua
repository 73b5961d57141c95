--[[ queueHolder-1: the consumer holding an interaction.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group   ARGV[2] interaction id
  Returns the consumer name (node<N>), or false when the interaction is waiting, done or unknown
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)[1]
return p and p[2] or false
