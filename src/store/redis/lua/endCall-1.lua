--[[ endCall-1: the call is over: its holder's claim is kept keepMs more (a late or replayed event
  must not start a second session), then Redis drops it. Another node's end changes nothing.
  KEYS[1] call   p:call:<callId>   string: the owner node id
  ARGV[1] nodeId   ARGV[2] keepMs (0: forget at once)
  Returns 1   shortened (or deleted)
          0   this node does not hold the call
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
