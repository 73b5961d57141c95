--[[ guard-2: set and delete fields of a node's crash-guard record, fenced like a commit
  (src/cluster/crashGuard.ts decides what the fields mean; a stale primary must not rewrite them).
  KEYS[1] lease   {p:nN}:lease
  KEYS[2] guard   {p:nN}:guard     hash field -> value
  ARGV[1] epoch   ARGV[2] processId   ARGV[3] nSet   ARGV[4] nDelete
  then nSet pairs (field, value), then nDelete fields
  Returns {1}                 written
          {0, currentEpoch}   fenced: the lease expired (-1) or belongs to another epoch or process
]]
local lease = redis.call('HMGET', KEYS[1], 'epoch', 'process')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then
  return { 0, tonumber(lease[1] or '-1') }
end
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
