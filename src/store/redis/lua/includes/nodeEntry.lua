-- nodeEntry(leaseKey, infoKey, nodeId): the node's registry entry as JSON (the NodeEntry type of
-- src/store/types.ts), read inside the script that changed it so a published entry is exact.
local function nodeEntry(leaseKey, infoKey, nodeId)
  local info = redis.call('HMGET', infoKey, 'epoch', 'externalUrl')
  local entry = { nodeId = tonumber(nodeId), epoch = tonumber(info[1] or '0'), externalUrl = info[2] or cjson.null,
                  primary = cjson.null }
  local lease = redis.call('HMGET', leaseKey, 'process', 'epoch', 'address')
  if lease[1] then
    entry.primary = { processId = lease[1], epoch = tonumber(lease[2]), address = lease[3],
                      ttlMs = redis.call('PTTL', leaseKey) }
  end
  return cjson.encode(entry)
end
