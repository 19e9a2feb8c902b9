-- .pretty: aos's tprint, written for this project from what the live module answers
-- (tests/live_module/test_libraries.py asks it the same questions).
--   tprint(tbl, indent) -> text: one "key: value" line per entry in pairs order, indented by
--   indent spaces (default 0); a table value gives "key: " and its own lines one space deeper;
--   a boolean is written with tostring, anything else is concatenated as it is (a function
--   value raises Lua's "attempt to concatenate" error, as live's does).  Nothing is printed.
local rep, tostring, type, pairs = string.rep, tostring, type, pairs

local pretty = { _version = "0.0.1" }

local function tprint(tbl, indent)
  indent = indent or 0
  local out = ""
  for k, v in pairs(tbl) do
    local line = rep(" ", indent) .. k .. ": "
    if type(v) == "table" then
      out = out .. line .. "\n" .. tprint(v, indent + 1)
    elseif type(v) == "boolean" then
      out = out .. line .. tostring(v) .. "\n"
    else
      out = out .. line .. v .. "\n"
    end
  end
  return out
end
pretty.tprint = tprint

return pretty
