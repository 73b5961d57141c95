--[[ queuePull-1: hand a node (a consumer of the group) at most max interactions: first holds not
  touched for staleMs, whoever holds them (oldest id first; XCLAIM counts the delivery), then
  waiting ones in submission order (XREADGROUP >). Non-blocking: the node polls.
  XPENDING … IDLE finds the stale holds in one pass over the pending list inside Redis; XAUTOCLAIM
  would need a script-level loop over it (it scans at most 10 × COUNT entries per call), many
  times slower when nodes hold thousands.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group   ARGV[2] consumer (node<N>)   ARGV[3] max (≥ 1)   ARGV[4] staleMs
  Returns flat {id, data, submitted, deliveries, id, …}
]]
-- @include ensureGroup
-- @include entry
local failed = ensureGroup(KEYS[1], ARGV[1])
if failed then return failed end
local max = tonumber(ARGV[3])
local out = {}
local n = 0
for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[4], '-', '+', max)) do
  -- No entry back: its data was deleted (XCLAIM drops such a pending id); never the case with queueAck.
  local e = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[4], p[1])[1]
  if e then
    pushEntry(out, p[1], e[2], p[4] + 1)
    n = n + 1
  end
end
if n < max then
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', max - n, 'STREAMS', KEYS[1], '>')
  if r then
    for _, e in ipairs(r[1][2]) do pushEntry(out, e[1], e[2], 1) end
  end
end
return out
