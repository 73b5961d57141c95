--[[ queueHeld-1: one page of the interactions a node holds, with their data, in id order.
  KEYS[1] stream   {p:q:<name>}:stream
  ARGV[1] group   ARGV[2] consumer (node<N>)   ARGV[3] start ('-', or '(' .. last id of the previous page)
  ARGV[4] page size
  Returns {lastId or '', id, data, submitted, deliveries, id, …}   ('' and nothing else: no more)
]]
-- @include entry
if redis.call('EXISTS', KEYS[1]) == 0 then return { '' } end
local out = { '' }
for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], '+', tonumber(ARGV[4]), ARGV[2])) do
  local e = redis.call('XRANGE', KEYS[1], p[1], p[1])[1]
  if e then pushEntry(out, p[1], e[2], p[4]) end
  out[1] = p[1]
end
return out
