-- .default: the `_default` handle: unhandled messages go to Inbox (docs/aos-semantics.md §5.5, gotcha 23).
local _ = ...
local rawTostring, rawType = tostring, type

return function(insertInbox)
  return function(msg)
    insertInbox(msg)
    -- (as live's, no `tostring` of the moment: a process that replaced it prints the same line)
    local from = rawTostring(msg.From)
    local short = #from > 6 and (string.sub(from, 1, 3) .. "..." .. string.sub(from, -3)) or from
    local what
    if msg.Action then
      what = Colors.gray .. "Action = " .. Colors.blue .. rawTostring(msg.Action) .. Colors.reset
    else
      local data = rawType(msg.Data) == "string" and msg.Data or rawTostring(msg.Data)
      what = Colors.gray .. "Data = " .. Colors.blue .. string.sub(data, 1, 20) .. Colors.reset
    end
    print("New Message From " .. Colors.green .. short .. Colors.reset .. ": " .. what)
  end
end
