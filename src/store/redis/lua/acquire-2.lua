--[[ acquire-2: take a node's HA lease unless another process holds it (SPEC §4).
  A new acquisition increments the node's fencing epoch; acquiring a lease this process already
  holds (a retry after a lost reply) keeps its epoch and refreshes its length.
  KEYS[1] lease   {p:nN}:lease  hash {process, epoch, address}, PEXPIRE = lease length
  KEYS[2] info    {p:nN}:info   hash {epoch (counter), externalUrl}
  ARGV[1] processId   ARGV[2] ttlMs   ARGV[3] advertised address   ARGV[4] externalUrl ('' = none)
  ARGV[5] registry channel   ARGV[6] nodeId
  Returns {1, epoch}                                          acquired (registry entry published)
          {0, holderEpoch, holderProcess, holderAddress, pttl} held by another process
]]
-- @include nodeEntry
local holder = redis.call('HGET', KEYS[1], 'process')
if holder and holder ~= ARGV[1] then
  local h = redis.call('HMGET', KEYS[1], 'epoch', 'address')
  return { 0, tonumber(h[1]), holder, h[2], redis.call('PTTL', KEYS[1]) }
end
local epoch
if holder then
  epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
else
  epoch = redis.call('HINCRBY', KEYS[2], 'epoch', 1)
  redis.call('HSET', KEYS[1], 'process', ARGV[1], 'epoch', epoch, 'address', ARGV[3])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[2], 'externalUrl')
else
  redis.call('HSET', KEYS[2], 'externalUrl', ARGV[4])
end
redis.call('PUBLISH', ARGV[5], nodeEntry(KEYS[1], KEYS[2], ARGV[6]))
return { 1, epoch }
