local M = {}

function M.parse(text)
  local n = tonumber(text)
  if n == nil then
    error("not a number: " .. tostring(text))
  end
  return n
end

return M
