--[[ release-2: give up the lease held by this process under this epoch (clean shutdown), so the
  backup takes over without waiting for it to expire. The epoch counter stays.
  KEYS[1] lease   {p:nN}:lease
  KEYS[2] info    {p:nN}:info
  ARGV[1] processId   ARGV[2] epoch   ARGV[3] registry channel   ARGV[4] nodeId
  Returns {1}                 released (registry entry published with no primary)
          {0, currentEpoch}   fenced: not held by this process under this epoch (-1: no lease)
]]
-- @include nodeEntry
-- @include fence
local refused = fenceRefusal(KEYS[1], ARGV[2], ARGV[1])
if refused then return refused end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], nodeEntry(KEYS[1], KEYS[2], ARGV[4]))
return { 1 }
