--[[ takeOverCall-1: move a call's claim from one node to another, only if the first still holds it
  (compare and set); the claim keeps its expiry.
  KEYS[1] call   p:call:<callId>   string: the owner node id
  ARGV[1] from nodeId   ARGV[2] to nodeId
  Returns 1   `to` holds the call now (moved, or held by it already)
          0   neither holds it (another node, or nobody: unclaimed or expired)
]]
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
if owner == ARGV[2] then return 1 end
return 0
