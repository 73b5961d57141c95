--[[ commit-3: one group commit of a node's sessions, fenced by the writer's epoch (SPEC §4).
  The lease is checked first: when its epoch or holder is not the writer's, nothing is written.
  (The holder is checked too because after a Redis failover that lost an acquisition the epoch
  counter can hand the same number out again; the pair epoch + process id stays unique.)
  KEYS[1] lease      {p:nN}:lease
  KEYS[2] sessions   {p:nN}:sessions    hash sessionId -> snapshot
  KEYS[3] documents  {p:nN}:documents   hash content hash -> text (immutable: HSETNX)
  ARGV[1] epoch   ARGV[2] processId   ARGV[3] nPut   ARGV[4] nDelete   ARGV[5] nDocuments
  then nPut pairs (sessionId, snapshot), nDelete sessionIds, nDocuments pairs (hash, text)
  Returns {1, nPut + nDelete}   written
          {0, currentEpoch}     fenced: the lease expired (-1) or belongs to another epoch or process
]]
-- @include fence
local refused = fenceRefusal(KEYS[1], ARGV[1], ARGV[2])
if refused then return refused end
local nPut, nDel, nDoc = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local firstDoc = 6 + 2 * nPut + nDel
for d = 0, nDoc - 1 do
  redis.call('HSETNX', KEYS[3], ARGV[firstDoc + 2 * d], ARGV[firstDoc + 2 * d + 1])
end
local i = 6
for _ = 1, nPut do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, nDel do
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
return { 1, nPut + nDel }
