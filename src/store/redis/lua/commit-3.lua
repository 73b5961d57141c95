--[[ commit-3: one group commit of a node's sessions, fenced by the writer's epoch (SPEC §4).
  The epoch is checked first; when it is not the live lease's, nothing is written.
  KEYS[1] lease      {p:nN}:lease
  KEYS[2] sessions   {p:nN}:sessions    hash sessionId -> snapshot
  KEYS[3] documents  {p:nN}:documents   hash content hash -> text (immutable: HSETNX)
  ARGV[1] epoch   ARGV[2] nPut   ARGV[3] nDelete   ARGV[4] nDocuments
  then nPut pairs (sessionId, snapshot), nDelete sessionIds, nDocuments pairs (hash, text)
  Returns {1, nPut + nDelete}   written
          {0, currentEpoch}     fenced: the lease expired (-1) or belongs to another epoch
]]
local current = redis.call('HGET', KEYS[1], 'epoch')
if current ~= ARGV[1] then
  return { 0, tonumber(current or '-1') }
end
local nPut, nDel, nDoc = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local firstDoc = 5 + 2 * nPut + nDel
for d = 0, nDoc - 1 do
  redis.call('HSETNX', KEYS[3], ARGV[firstDoc + 2 * d], ARGV[firstDoc + 2 * d + 1])
end
local i = 5
for _ = 1, nPut do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, nDel do
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
return { 1, nPut + nDel }
