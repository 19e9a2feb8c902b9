-- The bridge's module loading (not part of aos): our aos layer and libraries as live's bundle
-- searcher, which also finds the project's modules, and Eval's compile.  Run by bridge/main.lua with
-- (H, G, config, raw, modules, fetch) after the private chunks left `modules` (name -> chunk name;
-- fetch(name) gives a module's bytecode); returns bridge.preload.
local H, G, config, raw, modules, fetch = ...

local loadChunk = H.load
local find, sub, gsub, format = string.find, string.sub, string.gsub, string.format
local ipairs, tostring, error = ipairs, tostring, error

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
for name, chunkname in pairs(modules) do
  if sub(name, 1, 12) == "harness.lib." then privateParts[name] = chunkname end
end
for name in pairs(privateParts) do modules[name] = nil end
function H.private(name)
  local part = privateLoaded[name]
  if part == nil then
    local chunkname = privateParts[name]
    if not chunkname then error("harness: no private library part " .. tostring(name), 2) end
    local fn, err = loadChunk(fetch(name), chunkname, "bt")
    if not fn then error("harness: cannot load " .. name .. ": " .. tostring(err)) end
    part = fn(H)
    privateLoaded[name] = part
  end
  return part
end

-- Our aos modules and libraries: live's bundle.  As on live, package.preload is empty and the
-- second searcher finds a bundled module by its name, or by its name with ".init" (".crypto"), and
-- returns its chunk as the loader, a fresh one each time (here given H as its first argument);
-- a name it does not know gets live's "module <name> not found", and a name that is neither a
-- string nor a number live's concatenation error, which names the local 'name'.
local bundle = {}
for name, chunkname in pairs(modules) do bundle[name] = chunkname end
G.protect(bundle)

-- Project modules beside the process file (and under ao/): `require("lib.amount")`.  The harness's
-- own feature, asked after the bundle in the same searcher (so that a name found nowhere gets
-- live's text): it reads the search dirs with the io.open captured before the sandbox sealed io,
-- and refuses names that could leave them.  The dirs are a private copy: process code can reach
-- the searcher (package.searchers), not the list it reads.
local searchDirs = {}
for i, dir in ipairs(config.search_dirs or {}) do
  searchDirs[i] = { dir[1], dir[2] }
  G.protect(searchDirs[i])
end
local hostOpen, hostRead, hostClose = raw.io_open, raw.file.read, raw.file.close
local function projectModule(name)
  name = tostring(name)
  if find(name, "..", 1, true) or find(name, "[%z/\\:]") or sub(name, 1, 1) == "." or name == "" then
    return nil
  end
  local rel = gsub(name, "%.", "/")
  for _, dir in ipairs(searchDirs) do
    for _, pattern in ipairs({ "%s/%s.lua", "%s/%s/init.lua" }) do
      local f = hostOpen(format(pattern, dir[1], rel), "rb")
      if f then
        local text = hostRead(f, "*a")
        hostClose(f)
        local shown = format(pattern, dir[2], rel)
        local fn, err = loadChunk(text, "@" .. shown, "t")
        if not fn then error("error loading module '" .. name .. "' from " .. shown .. ":\n\t" .. err, 0) end
        return fn, shown
      end
    end
  end
  return nil
end

local function bundleSearcher(name)
  local key = bundle[name] and name or (bundle[name .. ".init"] and name .. ".init")
  if key then
    local fn, err = loadChunk(fetch(key), bundle[key], "bt")
    if not fn then error("harness: cannot load runtime module " .. tostring(name) .. ": " .. tostring(err)) end
    return function(...) return fn(H, ...) end
  end
  local fn, shown = projectModule(name)
  if fn then return fn, shown end
  return "module " .. name .. " not found"
end
table.insert(package.searchers, 2, bundleSearcher)
G.protect(searchDirs)
G.protect(projectModule)

local bridge = {}

-- Make the next Eval of *source* run *bytecode* (a file the harness compiled, with its name).
function bridge.preload(source, bytecode, chunkname)
  H.preloaded[source] = { bytecode, chunkname }
end

return bridge
