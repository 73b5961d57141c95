--[[ nodeEntry-2: read one node's registry entry (lease and info read at one moment).
  KEYS[1] lease   {p:nN}:lease
  KEYS[2] info    {p:nN}:info
  ARGV[1] nodeId
  Returns the entry as JSON: {nodeId, epoch, externalUrl|null, primary|null}
          (primary = {processId, epoch, address, ttlMs})
]]
-- @include nodeEntry
return nodeEntry(KEYS[1], KEYS[2], ARGV[1])
