-- pushEntry(out, id, fields, deliveries): appends one interaction to a flat reply as id, data,
-- submitted (ms), deliveries; `fields` is the stream entry's field list (data, t).
local function pushEntry(out, id, fields, deliveries)
  local data, t = '', 0
  for i = 1, #fields, 2 do
    if fields[i] == 'data' then data = fields[i + 1] elseif fields[i] == 't' then t = tonumber(fields[i + 1]) end
  end
  out[#out + 1] = id
  out[#out + 1] = data
  out[#out + 1] = t
  out[#out + 1] = deliveries
end
