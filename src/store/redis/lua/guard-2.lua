--[[ guard-2: set and delete fields of a node's crash-guard record, fenced like a commit
  (src/cluster/crashGuard.ts decides what the fields mean; a stale primary must not rewrite them).
  KEYS[1] lease   {p:nN}:lease
  KEYS[2] guard   {p:nN}:guard     hash field -> value
  ARGV[1] epoch   ARGV[2] processId   ARGV[3] nSet   ARGV[4] nDelete
  then nSet pairs (field, value), then nDelete fields
  Returns {1}                 written
          {0, currentEpoch}   fenced: the lease expired (-1) or belongs to another epoch or process
]]
-- @include fence
local refused = fenceRefusal(KEYS[1], ARGV[1], ARGV[2])
if refused then return refused end
local nSet, nDel = tonumber(ARGV[3]), tonumber(ARGV[4])
local i = 5
for _ = 1, nSet do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, nDel do
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
return { 1 }
