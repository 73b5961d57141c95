--[[ queuePull-1: hand a node (a consumer of the group) at most max interactions: first holds not
  touched for staleMs, whoever holds them (XAUTOCLAIM from id 0: oldest first; it counts the
  delivery), then waiting ones in submission order (XREADGROUP >). Non-blocking: the node polls.
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
local cursor = '0-0'
repeat
  -- Each call scans a bounded part of the pending list from `cursor`; the loop ends at its end, so the
  -- whole run is bounded by what the nodes hold.
  local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[4], cursor, 'COUNT', max - #out / 4)
  cursor = r[1]
  for _, e in ipairs(r[2]) do
    if e then -- Redis 6.2 gives nil for a pending id whose entry was deleted
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)[1]
      pushEntry(out, e[1], e[2], p[4])
    end
  end
until cursor == '0-0' or #out / 4 >= max
if #out / 4 < max then
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', max - #out / 4, 'STREAMS', KEYS[1], '>')
  if r then
    for _, e in ipairs(r[1][2]) do pushEntry(out, e[1], e[2], 1) end
  end
end
return out
