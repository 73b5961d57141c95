-- ensureGroup(stream, group): makes the queue's stream and its consumer group when missing. The group
-- starts at id 0, so interactions submitted before it existed are handed out too; an existing
-- group (BUSYGROUP) is left as it is.
local function ensureGroup(stream, group)
  local res = redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
  if type(res) == 'table' and res.err and not string.find(res.err, 'BUSYGROUP', 1, true) then
    return redis.error_reply(res.err)
  end
end
