-- fenceRefusal(leaseKey, epoch, processId): nil when the node's live lease is held by this process
-- under this epoch; otherwise the refusal every fenced script returns as it is: {0, currentEpoch},
-- -1 when no process holds the lease (expired or released). SPEC §4: a stale write changes nothing.
local function fenceRefusal(leaseKey, epoch, processId)
  local lease = redis.call('HMGET', leaseKey, 'epoch', 'process')
  if lease[1] ~= epoch or lease[2] ~= processId then
    return { 0, tonumber(lease[1] or '-1') }
  end
  return nil
end
