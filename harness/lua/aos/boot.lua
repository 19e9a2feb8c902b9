-- .boot: the `_boot` handle run once on the spawn message (docs/aos-semantics.md §5.5).
local _ = ...

return function(ao)
  local eval = require(".eval")(ao)
  return function(msg)
    if #Inbox == 0 then table.insert(Inbox, msg) end
    local onBoot = msg.Tags["On-Boot"]
    if onBoot == "Data" then
      eval(msg)
    elseif onBoot and onBoot ~= "" then
      local f = io.open("/data/" .. onBoot, "r")
      if not f then
        print("On-Boot: no WeaveDrive data for " .. onBoot .. " in the local network")
        return
      end
      local code = f:read("*a")
      f:close()
      eval({ Data = code, Tags = msg.Tags })
    end
  end
end
