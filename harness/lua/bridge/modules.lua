-- The bridge's module loading (not part of aos): our aos layer and libraries in package.preload,
-- the project-module searcher, and Eval's compile.  Run by bridge/main.lua with
-- (H, G, config, raw, modules) after the private chunks left `modules`; returns bridge.preload.
local H, G, config, raw, modules = ...

local loadChunk = H.load
local find, sub, gsub, format = string.find, string.sub, string.gsub, string.format
local concat = table.concat
local ipairs, type, tostring, error = ipairs, type, tostring, error

-- Eval compile: expression first, then chunk (aos eval.lua); a file the harness loads arrives
-- precompiled with its own chunk name (bridge.preload).
function H.compile_eval(code)
  local pre = H.preloaded[code]
  if pre then
    return loadChunk(pre[1], pre[2], "b", _G)
  end
  local fn, err = loadChunk("return " .. code, "aos", "t", _G)
  if not fn then fn, err = loadChunk(code, "aos", "t", _G) end
  return fn, err
end

-- Private library parts (e.g. harness/lua/lib/crypto/private/, registered as "harness.lib.<name>"):
-- code that several of our library modules share and live has no module for.  They never enter
-- package.preload: a module gets one with H.private(name), loaded on first use, once.  A part
-- registered as "harness.lib.<name>@<module>" is that part's code compiled for that one module,
-- under a chunk name shown as the module's (harness/chunks.py, PER_MODULE_PARTS).
local privateParts, privateLoaded = {}, {}
for name, entry in pairs(modules) do
  if sub(name, 1, 12) == "harness.lib." then privateParts[name] = entry end
end
for name in pairs(privateParts) do modules[name] = nil end
function H.private(name)
  local part = privateLoaded[name]
  if part == nil then
    local entry = privateParts[name]
    if not entry then error("harness: no private library part " .. tostring(name), 2) end
    local fn, err = loadChunk(entry[1], entry[2], "bt")
    if not fn then error("harness: cannot load " .. name .. ": " .. tostring(err)) end
    part = fn(H)
    privateLoaded[name] = part
  end
  return part
end

-- Our aos modules, each given H as its first chunk argument.
for name, entry in pairs(modules) do
  local code, chunkname = entry[1], entry[2]
  package.preload[name] = function(...)
    local fn, err = loadChunk(code, chunkname, "bt")
    if not fn then error("harness: cannot load runtime module " .. name .. ": " .. tostring(err)) end
    return fn(H, ...)
  end
end
package.preload["ao"] = function() return require(".ao") end

-- Project modules beside the process file (and under ao/): `require("lib.amount")`.  The harness's
-- own feature: it reads the search dirs with the io.open captured before the sandbox sealed io,
-- and refuses names that could leave them.  The dirs are a private copy: process code can reach
-- the searcher (package.searchers), not the list it reads.
local searchDirs = {}
for i, dir in ipairs(config.search_dirs or {}) do
  searchDirs[i] = { dir[1], dir[2] }
  G.protect(searchDirs[i])
end
local hostOpen, hostRead, hostClose = raw.io_open, raw.file.read, raw.file.close
local function projectSearcher(name)
  if type(name) ~= "string" or find(name, "..", 1, true) or find(name, "[%z/\\:]")
    or sub(name, 1, 1) == "." or name == "" then
    return "\n\tno project module named '" .. tostring(name) .. "' (names are dotted paths under the "
      .. "process's directories)"
  end
  local rel = gsub(name, "%.", "/")
  local tried = {}
  for _, dir in ipairs(searchDirs) do
    for _, pattern in ipairs({ "%s/%s.lua", "%s/%s/init.lua" }) do
      local path = format(pattern, dir[1], rel)
      local f = hostOpen(path, "rb")
      if f then
        local text = hostRead(f, "*a")
        hostClose(f)
        local shown = format(pattern, dir[2], rel)
        local fn, err = loadChunk(text, "@" .. shown, "t")
        if not fn then error("error loading module '" .. name .. "' from " .. shown .. ":\n\t" .. err, 0) end
        return fn, shown
      end
      tried[#tried + 1] = "\n\tno file '" .. format(pattern, dir[2], rel) .. "'"
    end
  end
  return concat(tried)
end
table.insert(package.searchers, 2, projectSearcher)
G.protect(searchDirs)

local bridge = {}

-- Make the next Eval of *source* run *bytecode* (a file the harness compiled, with its name).
function bridge.preload(source, bytecode, chunkname)
  H.preloaded[source] = { bytecode, chunkname }
end

return bridge
