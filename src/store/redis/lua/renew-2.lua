--[[ renew-2: extend the lease held by this process under this epoch (fenced).
  KEYS[1] lease   {p:nN}:lease
  KEYS[2] info    {p:nN}:info
  ARGV[1] processId   ARGV[2] epoch   ARGV[3] ttlMs   ARGV[4] registry channel   ARGV[5] nodeId
  Returns {1}                 renewed (registry entry published with the new time left)
          {0, currentEpoch}   fenced: the lease expired (-1) or another acquisition holds it
]]
-- @include nodeEntry
-- @include fence
local refused = fenceRefusal(KEYS[1], ARGV[2], ARGV[1])
if refused then return refused end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], nodeEntry(KEYS[1], KEYS[2], ARGV[5]))
return { 1 }
