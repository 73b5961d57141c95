--[[ claimCall-1: claim a voice call for a node unless a node holds it (SPEC §5: exactly one node
  runs a call's session). SET NX and the read of the owner in one step, so a loser always learns
  who won.
  KEYS[1] call   p:call:<callId>   string: the owner node id, PEXPIRE = what is left of the claim
  ARGV[1] nodeId   ARGV[2] ttlMs
  Returns {1}          claimed
          {0, owner}   held by node `owner` (this node itself when it had claimed the call already)
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return { 1 } end
return { 0, tonumber(redis.call('GET', KEYS[1])) }
