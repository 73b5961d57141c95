--[[ queueTouch-1: renew a node's holds (they are not stale any more), only those the node still
  holds: XCLAIM with min-idle 0 by the holder itself resets the idle time and, with JUSTID, does
  not count a delivery. A hold another node took is never taken back.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group   ARGV[2] consumer (node<N>)   ARGV[3..] interaction ids
  Returns the ids the node does not hold (any more)
]]
local lost = {}
local exists = redis.call('EXISTS', KEYS[1]) == 1
for i = 3, #ARGV do
  local p = exists and redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)[1]
  if p and p[2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
