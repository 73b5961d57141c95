--[[ queueSubmit-1: append an interaction to a queue, stamped with Redis's clock; makes the stream
  and its consumer group on first use.
  KEYS[1] stream   {p:q:<name>}:stream   entries {data, t}; consumer group ARGV[1]
  ARGV[1] group   ARGV[2] data (JSON text)   ARGV[3] most entries (waiting + held: acknowledged ones are deleted)
  Returns the entry id (`<ms>-<seq>`), or nil when the stream already has ARGV[3] entries
]]
-- @include ensureGroup
local failed = ensureGroup(KEYS[1], ARGV[1])
if failed then return failed end
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[3]) then return nil end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return redis.call('XADD', KEYS[1], '*', 'data', ARGV[2], 't', ms)
