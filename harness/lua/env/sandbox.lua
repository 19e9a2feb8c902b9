-- The sealed environment of one process's Lua state: the global surface of the live aos module
-- (Lua 5.3.4 in WebAssembly, an empty in-memory filesystem, no processes, no native code) and
-- nothing of the host.  The bridge (bridge/main.lua) runs this chunk first, with (H, config, compat),
-- before any other code; it returns the captured originals the harness itself still needs.
--
-- What live answers was read from the live binary.  Where Lua code cannot reproduce live exactly
-- (the README's Limits list it) we stay on the safe side: nothing here opens, runs, reads or
-- writes anything outside this Lua state.
local H, _, compat = ...

local G = _G
local type, tostring, tonumber, select, error, next, rawget, rawequal =
  type, tostring, tonumber, select, error, next, rawget, rawequal
local setmetatable, getmetatable = setmetatable, getmetatable
local sfmt, ssub, sbyte, sfind, sgsub, srep, schar =
  string.format, string.sub, string.byte, string.find, string.gsub, string.rep, string.char
local floor = math.floor
local concat, tinsert = table.concat, table.insert
local is51 = _VERSION == "Lua 5.1"
local isJit = rawget(G, "jit") ~= nil
local registry = debug.getregistry()

-- Raise msg at the first caller outside this file, as a C library function's luaL_error does.
local getinfo = debug.getinfo
-- (an argument error is worded for the caller, as luaL_argerror words it: compat.argError; not
-- on LuaJIT, which shows no tail call, so that a caller's name could stand for the function's)
local OWN = getinfo(1, "S").source
local raiseHere, argError = compat.raiser(OWN), compat.argError
local function raise(msg)
  if isJit then raiseHere(msg) end
  raiseHere(argError(OWN, msg))
end

-- Originals the harness keeps for its own use.  They are in no global and no loaded module; only
-- the debug library (getupvalue, getregistry, ...) could reach them, which env/guard.lua fences.
local raw = {
  load = load,
  loadstring = rawget(G, "loadstring"),
  setfenv = rawget(G, "setfenv"),
  unpack = table.unpack or rawget(G, "unpack"),
  io_open = io.open,
  io_type = io.type,
  date = os.date,
  time = os.time,
  bit = rawget(G, "bit"),
  jit_off = isJit and rawget(G, "jit").off or nil,
}
local unpack = raw.unpack
local nativeDate = os.date

-- The text shared by every refusal of a binary chunk.
local BINARY_REFUSED = "harness: binary (precompiled) chunks are refused: load Lua source text instead "
  .. "(live aos would load them, but a malformed one can crash the test run)"
raw.BINARY_REFUSED = BINARY_REFUSED

---------------------------------------------------------------------------------------------
-- 1. No Python: lupa's `python` module and every Python object it left in the registry.
---------------------------------------------------------------------------------------------
G.python = nil
package.loaded.python = nil
do
  local pobject = registry.POBJECT
  registry.Py_None = nil
  local refs = registry.LUPA_PYTHON_REFERENCES_TABLE
  if type(refs) == "table" then
    for k, v in next, refs do
      if type(v) == "userdata" and pobject ~= nil and debug.getmetatable(v) == pobject then refs[k] = nil end
    end
  end
end

---------------------------------------------------------------------------------------------
-- 2. load: text only.  `load` with a string, or a reader function whose first piece starts with
-- "\27", or mode "b", is refused (binary chunks bypass the compiler's checks).
---------------------------------------------------------------------------------------------
local nativeLoad = load
local nativeLoadstring = raw.loadstring
local nativeSetfenv = raw.setfenv

local function isBinary(s) return sbyte(s, 1) == 27 end

-- 5.1 cannot give a function a nil environment (live's load(s, n, m, nil)): every global access
-- then fails as it would with a nil _ENV.
local nilEnv
do
  local function noEnv() raise("attempt to index a nil value (upvalue '_ENV')") end
  nilEnv = setmetatable({}, { __index = noEnv, __newindex = noEnv })
end

-- Compile text with the original loader: (chunk, chunkname, env); 5.1 has no mode or env.
local function compileText(chunk, chunkname, env, hasEnv)
  if is51 and not isJit then
    local fn, err
    if type(chunk) == "string" then
      fn, err = nativeLoadstring(chunk, chunkname)
    else
      fn, err = nativeLoad(chunk, chunkname)
    end
    if not fn then return nil, err end
    if hasEnv then
      if env == nil then env = nilEnv end
      nativeSetfenv(fn, env)
    end
    return fn
  end
  if hasEnv and env == nil and isJit then
    -- LuaJIT reads a nil env as "no env given"
    local fn, err = nativeLoad(chunk, chunkname, "t")
    if not fn then return nil, err end
    nativeSetfenv(fn, nilEnv)
    return fn
  end
  if hasEnv then return nativeLoad(chunk, chunkname, "t", env) end
  return nativeLoad(chunk, chunkname, "t")
end

local function sandboxLoad(...)
  local chunk, chunkname, mode = ...
  local hasEnv = select("#", ...) > 3
  local env = select(4, ...)
  if chunkname ~= nil and type(chunkname) ~= "string" and type(chunkname) ~= "number" then
    raise("bad argument #2 to 'load' (string expected, got " .. type(chunkname) .. ")")
  end
  if mode ~= nil and type(mode) ~= "string" then
    raise("bad argument #3 to 'load' (string expected, got " .. type(mode) .. ")")
  end
  mode = mode or "bt"
  local ct = type(chunk)
  if ct == "number" then
    -- (live's load takes the number's text as the chunk, as lua_tolstring gives it)
    chunk, ct = tostring(chunk), "string"
  end
  if ct == "string" then
    if chunkname == nil then chunkname = chunk end
    if isBinary(chunk) then
      -- mode "t" refuses it on live too, with Lua's own words
      if not sfind(mode, "b", 1, true) then return nil, "attempt to load a binary chunk (mode is '" .. mode .. "')" end
      return nil, BINARY_REFUSED
    end
    if not sfind(mode, "t", 1, true) then
      return nil, "attempt to load a text chunk (mode is '" .. mode .. "')"
    end
    return compileText(chunk, chunkname, env, hasEnv)
  elseif ct == "function" then
    if chunkname == nil then chunkname = "=(load)" end
    local first, refused = true, false
    local reader = function()
      if refused then return nil end
      local piece = chunk()
      if first then
        first = false
        if type(piece) == "string" and isBinary(piece) then
          refused = true
          return nil
        end
      end
      return piece
    end
    if not sfind(mode, "t", 1, true) then
      -- live would accept only a binary stream here, which we refuse anyway
      local piece = chunk()
      if type(piece) == "string" and piece ~= "" and not isBinary(piece) then
        return nil, "attempt to load a text chunk (mode is '" .. mode .. "')"
      end
      return nil, BINARY_REFUSED
    end
    local fn, err = compileText(reader, chunkname, env, hasEnv)
    if refused then return nil, BINARY_REFUSED end
    return fn, err
  end
  local got = (ct == "nil" and select("#", ...) == 0) and "no value" or ct
  raise("bad argument #1 to 'load' (function expected, got " .. got .. ")")
end
raw.compile_text = compileText
raw.is_binary = isBinary

---------------------------------------------------------------------------------------------
-- 3. The standard library surface of live (Lua 5.3.4 with LUA_COMPAT_5_2).
---------------------------------------------------------------------------------------------
local function set(list)
  local s = {}
  for name in string.gmatch(list, "%S+") do s[name] = true end
  return s
end

local LIVE = {
  _G = set([[_G _VERSION assert bit32 collectgarbage coroutine debug dofile error getmetatable io ipairs
    load loadfile math next os package pairs pcall print rawequal rawget rawlen rawset require select
    setmetatable string table tonumber tostring type utf8 xpcall]]),
  string = set("byte char dump find format gmatch gsub len lower match pack packsize rep reverse sub unpack upper"),
  table = set("concat insert move pack remove sort unpack"),
  math = set([[abs acos asin atan2 atan ceil cos cosh deg exp floor fmod frexp huge ldexp log10 log max
    maxinteger min mininteger modf pi pow rad random randomseed sin sinh sqrt tan tanh tointeger type ult]]),
  os = set("clock date difftime execute exit getenv remove rename setlocale time tmpname"),
  io = set("close flush input lines open output popen read stderr stdin stdout tmpfile type write"),
  coroutine = set("create isyieldable resume running status wrap yield"),
  debug = set([[debug gethook getinfo getlocal getmetatable getregistry getupvalue getuservalue sethook
    setlocal setmetatable setupvalue setuservalue traceback upvalueid upvaluejoin]]),
  package = set("config cpath loaded loadlib path preload searchers searchpath"),
  utf8 = set("char charpattern codepoint codes len offset"),
  bit32 = set("arshift band bnot bor btest bxor extract lrotate lshift replace rrotate rshift"),
}
H.live_surface = LIVE

-- what the harness captured before pruning (5.1's require reads package.loaders itself)
local KEEP = { package = { loaders = true } }

---------------------------------------------------------------------------------------------
-- 4. io: live's filesystem is an empty in-memory one; every open fails, stdin is empty, stdout
-- and stderr go nowhere.  The shared FILE* methods are replaced so that no file handle of this
-- state (io.stdout included) can reach the host.
---------------------------------------------------------------------------------------------
local stdin, stdout, stderr = io.stdin, io.stdout, io.stderr
local fileMeta = getmetatable(stdout)
local methods = type(fileMeta.__index) == "table" and fileMeta.__index or fileMeta
local rawMethods = {}
for _, name in ipairs({ "close", "flush", "lines", "read", "seek", "setvbuf", "write" }) do
  rawMethods[name] = methods[name]
end
raw.file = rawMethods

local NOERR = "No error information"
local nativeIoType = io.type

local function typeName(v, present)
  if not present then return "no value" end
  return type(v)
end

-- io.tmpfile's files live in this Lua state only (live keeps them in its in-memory filesystem)
local memFiles = setmetatable({}, { __mode = "k" })
local memMeta = { __name = "FILE*", __index = methods }
memMeta.__tostring = function(f)
  local st = memFiles[f]
  if st.closed then return "file (closed)" end
  return "file (" .. st.address .. ")"
end

local function ioType(f)
  local st = memFiles[f]
  if st then return st.closed and "closed file" or "file" end
  return nativeIoType(f)
end

local function checkFile(f, fname)
  local t = ioType(f)
  if t == nil then
    raise("bad argument #1 to '" .. fname .. "' (FILE* expected, got " .. type(f) .. ")")
  elseif t == "closed file" then
    raise("attempt to use a closed file")
  end
  return f
end

local function checkString(v, i, fname, present)
  local tv = type(v)
  if tv == "string" then return v end
  if tv == "number" then return tostring(v) end
  raise("bad argument #" .. i .. " to '" .. fname .. "' (string expected, got " .. typeName(v, present) .. ")")
end

local function checkMode(mode)
  -- fopen modes as Lua 5.3 accepts them: [rwa]%+?b*
  local m = sgsub(mode, "^[rwa]%+?", "", 1)
  if m == mode or sfind(m, "[^b]") then return false end
  return true
end

local function openFails(fname) return nil, fname .. ": " .. NOERR, 0 end

local READ_FORMATS = { n = true, a = true, l = true, L = true }

-- One read of an in-memory file: (value or nil) for format c ("n", "a", "l", "L" or a count).
local function memReadOne(st, c)
  local data, pos = st.data, st.pos
  local len = #data
  if type(c) == "number" then
    if c == 0 then
      if pos < len then return "" end
      return nil
    end
    if pos >= len then return nil end
    local piece = ssub(data, pos + 1, pos + c)
    st.pos = pos + #piece
    return piece
  elseif c == "a" then
    st.pos = len
    return ssub(data, pos + 1)
  elseif c == "l" or c == "L" then
    if pos >= len then return nil end
    local nl = sfind(data, "\n", pos + 1, true)
    local stop = nl or len
    st.pos = stop
    if c == "l" and nl then return ssub(data, pos + 1, nl - 1) end
    return ssub(data, pos + 1, stop)
  end
  -- "n": a numeral as C's reader takes it (at most 200 characters)
  local start = sfind(data, "[^ \t\n\r\f\v]", pos + 1) or (len + 1)
  local rest = ssub(data, start, start + 199)
  local m = string.match(rest, "^[+-]?0[xX]%x*%.?%x*[pP]?[+-]?%d*")
    or string.match(rest, "^[+-]?%d*%.?%d*[eE]?[+-]?%d*") or ""
  if string.match(m, "[eEpP][+-]?$") then m = ssub(m, 1, -2 - (string.match(m, "[+-]$") and 1 or 0)) end
  st.pos = start - 1 + #m
  return tonumber(m)
end

-- Reading: stdin is empty (end of file at once); stdout and stderr cannot be read.
local function readFrom(f, fname, first, ...)
  local n = select("#", ...)
  local st = memFiles[f]
  if not st and not rawequal(f, stdin) then return nil, NOERR, 0 end
  if n == 0 then
    if st then return memReadOne(st, "l") end
    return nil
  end
  local out = {}
  for i = 1, n do
    local fmt = select(i, ...)
    local c
    if type(fmt) == "number" then
      c = fmt
    elseif type(fmt) == "string" then
      c = ssub(fmt, 1, 1) == "*" and ssub(fmt, 2, 2) or ssub(fmt, 1, 1)
      if not READ_FORMATS[c] then raise("bad argument #" .. (first + i - 1) .. " to '" .. fname .. "' (invalid format)") end
    else
      raise("bad argument #" .. (first + i - 1) .. " to '" .. fname .. "' (string expected, got "
        .. typeName(fmt, true) .. ")")
    end
    local v
    if st then
      v = memReadOne(st, c)
    elseif c == "a" then
      v = ""
    end
    out[i] = v
    if v == nil then return unpack(out, 1, i) end
  end
  return unpack(out, 1, n)
end

local function numberText(v)
  if math.type and math.type(v) == "integer" then return sfmt("%d", v) end
  return sfmt("%.14g", v)
end

local function writeTo(f, fname, first, ...)
  local n = select("#", ...)
  for i = 1, n do
    local v = select(i, ...)
    local tv = type(v)
    if tv ~= "string" and tv ~= "number" then
      raise("bad argument #" .. (first + i - 1) .. " to '" .. fname .. "' (string expected, got " .. tv .. ")")
    end
  end
  local st = memFiles[f]
  if st then
    for i = 1, n do
      local v = select(i, ...)
      if type(v) == "number" then v = numberText(v) end
      local data, pos = st.data, st.pos
      if pos > #data then data = data .. srep("\0", pos - #data) end
      st.data = ssub(data, 1, pos) .. v .. ssub(data, pos + #v + 1)
      st.pos = pos + #v
    end
    return f
  end
  if rawequal(f, stdin) then return nil, NOERR, 0 end
  return f
end

local function closeFile(f)
  local st = memFiles[f]
  if st then
    st.closed = true
    return true
  end
  return nil, "cannot close standard file"
end

local function noLines() return nil end

local function linesOf(f, n, ...)
  if n > 250 then raise("bad argument #252 to 'lines' (too many arguments)") end
  local st = memFiles[f]
  if not st then return noLines end
  local formats = { ... }
  return function()
    if st.closed then raise("file is already closed") end
    return readFrom(f, "lines", 1, unpack(formats, 1, n))
  end
end

methods.close = function(f) return closeFile(checkFile(f, "close")) end
methods.flush = function(f)
  checkFile(f, "flush")
  return true
end
methods.lines = function(f, ...)
  checkFile(f, "lines")
  return linesOf(f, select("#", ...), ...)
end
-- (the stand-ins below keep their frame while they check: `pass` takes what they return, so that
-- an argument error is named as the caller called them)
local function pass(...) return ... end
methods.read = function(f, ...) return pass(readFrom(checkFile(f, "read"), "read", 2, ...)) end
methods.seek = function(f, whence, offset)
  checkFile(f, "seek")
  if whence == nil then whence = "cur" end
  if whence ~= "set" and whence ~= "cur" and whence ~= "end" then
    raise("bad argument #2 to 'seek' (invalid option '" .. tostring(whence) .. "')")
  end
  if offset ~= nil and type(offset) ~= "number" then
    raise("bad argument #3 to 'seek' (number expected, got " .. type(offset) .. ")")
  end
  local st = memFiles[f]
  if st then
    local base = whence == "set" and 0 or whence == "cur" and st.pos or #st.data
    local at = base + (offset or 0)
    if at < 0 then return nil, "Invalid argument", 28 end
    st.pos = at
    return at
  end
  if rawequal(f, stdin) then return nil, "Invalid seek", 70 end
  return 0
end
methods.setvbuf = function(f, mode)
  checkFile(f, "setvbuf")
  if mode ~= "no" and mode ~= "full" and mode ~= "line" then
    raise("bad argument #2 to 'setvbuf' (invalid option '" .. tostring(mode) .. "')")
  end
  return true
end
methods.write = function(f, ...) return pass(writeTo(checkFile(f, "write"), "write", 2, ...)) end

local defaultIn, defaultOut = stdin, stdout

local io_ = io
io_.open = function(...)
  local fname, mode = ...
  fname = checkString(fname, 1, "open", select("#", ...) >= 1)
  if mode ~= nil then
    mode = checkString(mode, 2, "open", true)
    if not checkMode(mode) then raise("bad argument #2 to 'open' (invalid mode)") end
  end
  return openFails(fname)
end
io_.lines = function(...)
  local fname = ...
  if fname == nil then
    local n = select("#", ...)
    return linesOf(defaultIn, n > 0 and n - 1 or 0, select(2, ...))
  end
  fname = checkString(fname, 1, "lines", true)
  raise("cannot open file '" .. fname .. "' (" .. NOERR .. ")")
end
io_.popen = function(...)
  local prog, mode = ...
  checkString(prog, 1, "popen", select("#", ...) >= 1)
  if mode ~= nil then checkString(mode, 2, "popen", true) end -- (live's 5.3.4 checks no mode)
  raise("'popen' not supported")
end
io_.tmpfile = function()
  local st = { data = "", pos = 0, closed = false }
  st.address = ssub(tostring(st), 8)
  local f = setmetatable({}, memMeta)
  memFiles[f] = st
  return f
end
io_.type = function(...)
  if select("#", ...) == 0 then raise("bad argument #1 to 'type' (value expected)") end
  return ioType((...))
end
io_.read = function(...) return pass(readFrom(defaultIn, "read", 1, ...)) end
io_.write = function(...) return pass(writeTo(defaultOut, "write", 1, ...)) end
io_.close = function(...)
  local f = ...
  if select("#", ...) == 0 or f == nil then f = defaultOut end
  return closeFile(checkFile(f, "close"))
end
io_.flush = function() return true end
local function defaultFile(current, fname, ...)
  local f = ...
  if select("#", ...) == 0 or f == nil then return current end
  if type(f) == "string" or type(f) == "number" then
    raise("cannot open file '" .. tostring(f) .. "' (" .. NOERR .. ")")
  end
  return checkFile(f, fname)
end
io_.input = function(...)
  defaultIn = defaultFile(defaultIn, "input", ...)
  return defaultIn
end
io_.output = function(...)
  defaultOut = defaultFile(defaultOut, "output", ...)
  return defaultOut
end

-- print: live's goes to a silenced console (aos replaces it with its own anyway)
G.print = function(...)
  for i = 1, select("#", ...) do
    local s = G.tostring((select(i, ...)))
    if type(s) ~= "string" then raise("'tostring' must return a string to 'print'") end
  end
end

---------------------------------------------------------------------------------------------
-- 5. dofile / loadfile: no file can be opened; with no name they read live's empty stdin.
---------------------------------------------------------------------------------------------
G.loadfile = function(...)
  local fname, mode = ...
  local hasEnv = select("#", ...) >= 3
  local env = select(3, ...)
  if fname == nil then
    if mode ~= nil and not sfind(tostring(mode), "t", 1, true) then
      return nil, "attempt to load a text chunk (mode is '" .. tostring(mode) .. "')"
    end
    return compileText("", "=stdin", env, hasEnv)
  end
  fname = checkString(fname, 1, "loadfile", true)
  return nil, "cannot open " .. fname .. ": " .. NOERR
end
G.dofile = function(...)
  local fname = ...
  if fname == nil then return end
  fname = checkString(fname, 1, "dofile", true)
  error("cannot open " .. fname .. ": " .. NOERR, 0)
end

---------------------------------------------------------------------------------------------
-- 6. os: emscripten's environment and clock, no processes, no files.
---------------------------------------------------------------------------------------------
local ENV = {
  USER = "web_user", LOGNAME = "web_user", PATH = "/", PWD = "/", HOME = "/home/web_user", LANG = "C.UTF-8",
}

-- live's Date.now is a counter: 10000 ms at start, +1 on every read
local nowMs = 10000
local function dateNow()
  local v = nowMs
  nowMs = nowMs + 1
  return v
end
local clockStart

local os_ = os
os_.execute = function(...)
  if select("#", ...) == 0 or (...) == nil then return false end
  checkString((...), 1, "execute", true)
  return nil, "Function not implemented", 52
end
os_.exit = function(...)
  -- (live checks the status first: a boolean, or an integer)
  local status = ...
  if status ~= nil and type(status) ~= "boolean" then
    local x = type(status) == "number" and status or (type(status) == "string" and tonumber(status)) or nil
    if x == nil then
      raise("bad argument #1 to 'exit' (number expected, got " .. typeName(status, true) .. ")")
    elseif math.tointeger and not math.tointeger(x) then
      raise("bad argument #1 to 'exit' (number has no integer representation)")
    end
  end
  raise("harness: os.exit is not available to a process (on live it halts the whole module "
    .. "instance; here only this message fails)")
end
os_.getenv = function(...)
  local name = checkString((...), 1, "getenv", select("#", ...) >= 1)
  return ENV[name]
end
os_.remove = function(...)
  local fname = checkString((...), 1, "remove", select("#", ...) >= 1)
  if fname == "/" then return nil, "/: Resource busy", 10 end
  return nil, fname .. ": No such file or directory", 44
end
os_.rename = function(...)
  local a, b = ...
  checkString(a, 1, "rename", select("#", ...) >= 1)
  checkString(b, 2, "rename", select("#", ...) >= 2)
  return nil, "No such file or directory", 44
end
do
  local names = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  local count = 0
  os_.tmpname = function()
    -- a name in live's form; like live, nothing is created
    count = count + 1
    local x, out = count * 2654435761 % 4294967296, {}
    for i = 1, 6 do
      local d = x % 62
      out[i] = ssub(names, d + 1, d + 1)
      x = floor(x / 62) + d * 7919 + i
    end
    return "/tmp/tmpnam_" .. concat(out)
  end
end
os_.clock = function()
  if not clockStart then clockStart = dateNow() end
  return (dateNow() - clockStart) / 1000
end
os_.difftime = function(...)
  local a, b = ...
  local n = select("#", ...)
  if type(a) ~= "number" then
    raise("bad argument #1 to 'difftime' (number expected, got " .. typeName(a, n >= 1) .. ")")
  end
  if type(b) ~= "number" then
    raise("bad argument #2 to 'difftime' (number expected, got " .. typeName(b, n >= 2) .. ")")
  end
  return (a - b) + 0.0
end

-- strftime conversions Lua 5.3 accepts (C99)
local DATE_SINGLE = set("a A b B c C d D e F g G h H I j m M n p r R S t T u U V w W x X y Y z Z %")
local DATE_E = set("c C x X y Y")
local DATE_O = set("d e H I m M S u U V w W y")
-- where live's C library (musl) formats differently from the host's: the zone is UTC, and %c
-- pads the day with a zero ("Thu Jan 01 00:00:10 1970")
local DATE_AS_LIVE = { Z = "UTC", c = "%a %b %d %H:%M:%S %Y" }

local function dateFormat(fmt)
  local out, i, n = {}, 1, #fmt
  while i <= n do
    local c = ssub(fmt, i, i)
    if c ~= "%" then
      out[#out + 1] = c
      i = i + 1
    else
      local a = ssub(fmt, i + 1, i + 1)
      if DATE_SINGLE[a] then
        out[#out + 1] = DATE_AS_LIVE[a] or ("%" .. a)
        i = i + 2
      elseif a == "E" and ssub(fmt, i + 2, i + 2) == "c" then
        out[#out + 1] = DATE_AS_LIVE.c
        i = i + 3
      elseif (a == "E" and DATE_E[ssub(fmt, i + 2, i + 2)]) or (a == "O" and DATE_O[ssub(fmt, i + 2, i + 2)]) then
        out[#out + 1] = ssub(fmt, i, i + 2)
        i = i + 3
      else
        local shown = ssub(fmt, i, i + 1)
        if a == "E" or a == "O" then shown = ssub(fmt, i, i + 2) end
        raise("bad argument #1 to 'date' (invalid conversion specifier '" .. shown .. "')")
      end
    end
  end
  return concat(out)
end

os_.date = function(...)
  local fmt, t = ...
  if fmt == nil then fmt = "%c" end
  fmt = checkString(fmt, 1, "date", true)
  if t == nil then
    t = floor(dateNow() / 1000)
  elseif type(t) ~= "number" then
    raise("bad argument #2 to 'date' (number expected, got " .. type(t) .. ")")
  end
  -- live's clock is UTC: local time and "!" are the same
  if ssub(fmt, 1, 1) == "!" then fmt = ssub(fmt, 2) end
  if ssub(fmt, 1, 2) == "*t" then return nativeDate("!*t", t) end
  return nativeDate("!" .. dateFormat(fmt), t)
end

local function daysFromCivil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function timeField(t, key, default)
  local v = rawget(t, key)
  if v == nil then
    v = t[key]
  end
  if v == nil then
    if default == nil then raise("field '" .. key .. "' missing in date table") end
    return default
  end
  if type(v) ~= "number" then
    if tonumber(v) == nil then raise("field '" .. key .. "' missing in date table") end
    v = tonumber(v)
  end
  return v
end

os_.time = function(t)
  if t == nil then return floor(dateNow() / 1000) end
  if type(t) ~= "table" then raise("bad argument #1 to 'time' (table expected, got " .. type(t) .. ")") end
  local sec, min, hour = timeField(t, "sec", 0), timeField(t, "min", 0), timeField(t, "hour", 12)
  local day, month, year = timeField(t, "day"), timeField(t, "month"), timeField(t, "year")
  local m0 = month - 1
  local y = year + floor(m0 / 12)
  local m = m0 % 12 + 1
  local result = (daysFromCivil(y, m, 1) + day - 1) * 86400 + hour * 3600 + min * 60 + sec
  result = floor(result)
  for k, v in next, nativeDate("!*t", result) do t[k] = v end
  return result
end

do
  -- musl's locale model: every name is accepted, "C"/"POSIX" are C, "C.UTF-8" only changes LC_CTYPE
  local CATS = { "ctype", "numeric", "time", "collate", "monetary", "messages" }
  local current = { "C", "C", "C", "C", "C", "C" }
  local index = { ctype = 1, numeric = 2, time = 3, collate = 4, monetary = 5, messages = 6 }
  local function query()
    for i = 2, 6 do
      if current[i] ~= current[1] then return concat(current, ";") end
    end
    return current[1]
  end
  local function resolve(name, i)
    if name == "" then name = ENV.LANG end
    if name == "POSIX" or name == "C" then return "C" end
    if name == "C.UTF-8" and i ~= 1 then return "C" end
    return name
  end
  os_.setlocale = function(...)
    local name, cat = ...
    if cat == nil then cat = "all" end
    cat = checkString(cat, 2, "setlocale", true)
    if name ~= nil then name = checkString(name, 1, "setlocale", true) end
    if cat ~= "all" and not index[cat] then
      raise("bad argument #2 to 'setlocale' (invalid option '" .. cat .. "')")
    end
    if cat == "all" then
      if name ~= nil then
        for i = 1, 6 do current[i] = resolve(name, i) end
      end
      return query()
    end
    local i = index[cat]
    if name ~= nil then current[i] = resolve(name, i) end
    return current[i]
  end
  H.locale_categories = CATS
end

---------------------------------------------------------------------------------------------
-- 7. package: no native code, live's paths over an empty filesystem.
---------------------------------------------------------------------------------------------
local LIVE_PATH = "/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;"
  .. "/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua"
local LIVE_CPATH = "/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so"
package.path = LIVE_PATH
package.cpath = LIVE_CPATH
package.config = "/\n;\n?\n!\n-\n"
package.loadlib = function(...)
  local n = select("#", ...)
  local path, init = ...
  checkString(path, 1, "loadlib", n >= 1)
  checkString(init, 2, "loadlib", n >= 2)
  return nil, "dynamic libraries not enabled; check your Lua installation", "absent"
end

local function searchpath(...)
  local n = select("#", ...)
  local name, path, sep, rep = ...
  name = checkString(name, 1, "searchpath", n >= 1)
  path = checkString(path, 2, "searchpath", n >= 2)
  sep = sep == nil and "." or checkString(sep, 3, "searchpath", true)
  rep = rep == nil and "/" or checkString(rep, 4, "searchpath", true)
  if sep ~= "" then
    local plain = sgsub(sep, "%p", "%%%0")
    name = sgsub(name, plain, (sgsub(rep, "%%", "%%%%")))
  end
  local tried = {}
  for template in string.gmatch(path, "[^;]+") do
    tried[#tried + 1] = "\n\tno file '" .. sgsub(template, "%?", (sgsub(name, "%%", "%%%%"))) .. "'"
  end
  return nil, concat(tried)
end
package.searchpath = searchpath

local function pathSearcher(field)
  return function(name)
    local p = package[field]
    if type(p) ~= "string" then raise("'package." .. field .. "' must be a string") end
    local _, msg = searchpath(name, p)
    return msg
  end
end
local function crootSearcher(name)
  local dot = sfind(name, ".", 1, true)
  if not dot then return end
  local p = package.cpath
  if type(p) ~= "string" then raise("'package.cpath' must be a string") end
  local _, msg = searchpath(ssub(name, 1, dot - 1), p)
  return msg
end

-- The searchers list: preload, [the harness's project searcher is inserted at 2 by the bridge],
-- then live's Lua, C and all-in-one searchers, which can only report what they did not find.
local searchers = package.searchers or package.loaders
local preloadSearcher = searchers[1]
for i = #searchers, 1, -1 do searchers[i] = nil end
searchers[1] = preloadSearcher
searchers[2] = pathSearcher("path")
searchers[3] = pathSearcher("cpath")
searchers[4] = crootSearcher
package.searchers = searchers

-- Nothing preloaded but what the bridge registers (LuaJIT preloads ffi, jit.*, table.new, ...).
for k in next, package.preload do package.preload[k] = nil end

---------------------------------------------------------------------------------------------
-- 8. Global surface: live's names, nothing else.
---------------------------------------------------------------------------------------------
G.load = sandboxLoad

-- Lua 5.2 compatibility functions of live (bit32, math.pow, ..., __ipairs) and the 5.3 functions
-- an older Lua lacks where Lua code can provide them faithfully.
if compat then compat.install(G, { bit = raw.bit }) end

-- Lua 5.3 functions an older Lua lacks, where Lua code gives the same results.
if table.pack == nil then
  table.pack = function(...) return { n = select("#", ...), ... } end
end
if table.unpack == nil then table.unpack = unpack end
if table.move == nil then
  table.move = function(a1, f, e, t, a2)
    if a2 == nil then a2 = a1 end
    if e >= f then
      if t > e or t <= f or not rawequal(a1, a2) then
        for i = 0, e - f do a2[t + i] = a1[f + i] end
      else
        for i = e - f, 0, -1 do a2[t + i] = a1[f + i] end
      end
    end
    return a2
  end
end
if rawget(G, "rawlen") == nil then
  G.rawlen = function(v)
    local tv = type(v)
    if tv ~= "table" and tv ~= "string" then raise("bad argument #1 to 'rawlen' (table or string expected)") end
    -- 5.1 and LuaJIT tables never consult __len, so # is the raw length
    return #v
  end
end
if is51 and not isJit then
  local nativeXpcall = xpcall
  G.xpcall = function(f, handler, ...)
    local n = select("#", ...)
    if n == 0 then return nativeXpcall(f, handler) end
    local args = { ... }
    return nativeXpcall(function() return f(unpack(args, 1, n)) end, handler)
  end
end
if rawget(G, "utf8") == nil then
  -- Lua 5.3's utf8 library (code points up to 0x10FFFF, sequences of up to 4 bytes)
  local u = {}
  local function posrelat(pos, len)
    if pos >= 0 then return pos end
    if -pos > len then return 0 end
    return len + pos + 1
  end
  local function encode(x)
    if x < 0x80 then return schar(x) end
    local bytes, mfb = {}, 0x3f
    repeat
      tinsert(bytes, 1, schar(0x80 + x % 64))
      x = floor(x / 64)
      mfb = floor(mfb / 2)
    until x <= mfb
    tinsert(bytes, 1, schar(0xFF - (2 * mfb + 1) + x))
    return concat(bytes)
  end
  -- decode the sequence at byte i: its code point and the index after it, or nil
  local LIMITS = { 0xFF, 0x7F, 0x7FF, 0xFFFF }
  local function decode(s, i)
    local c = sbyte(s, i)
    if c == nil then return nil end
    if c < 0x80 then return c, i + 1 end
    local res, count = 0, 0
    while c % 128 >= 64 do
      count = count + 1
      local cc = sbyte(s, i + count)
      if cc == nil or floor(cc / 64) ~= 2 then return nil end
      res = res * 64 + cc % 64
      c = c * 2
    end
    res = res + (c % 128) * 2 ^ (count * 5)
    if count > 3 or res > 0x10FFFF or res <= LIMITS[count + 1] then return nil end
    return res, i + count + 1
  end
  u.charpattern = "[\0-\127\194-\244][\128-\191]*"
  u.char = function(...)
    local n = select("#", ...)
    local out = {}
    for i = 1, n do
      local x = select(i, ...)
      if type(x) ~= "number" then
        raise("bad argument #" .. i .. " to 'char' (number expected, got " .. type(x) .. ")")
      end
      if x < 0 or x > 0x10FFFF or x ~= floor(x) then
        raise("bad argument #" .. i .. " to 'char' (value out of range)")
      end
      out[i] = encode(x)
    end
    return concat(out)
  end
  u.codepoint = function(s, i, j)
    s = checkString(s, 1, "codepoint", s ~= nil)
    local len = #s
    i = posrelat(i or 1, len)
    j = posrelat(j or i, len)
    if i < 1 then raise("bad argument #2 to 'codepoint' (out of range)") end
    if j > len then raise("bad argument #3 to 'codepoint' (out of range)") end
    local out, n = {}, 0
    local p = i
    while p <= j do
      local code, nxt = decode(s, p)
      if code == nil then raise("invalid UTF-8 code") end
      n = n + 1
      out[n] = code
      p = nxt
    end
    return unpack(out, 1, n)
  end
  u.len = function(s, i, j)
    s = checkString(s, 1, "len", s ~= nil)
    local len = #s
    local p = posrelat(i or 1, len)
    j = posrelat(j or -1, len)
    if p < 1 or p > len + 1 then raise("bad argument #2 to 'len' (initial position out of string)") end
    if j > len then raise("bad argument #3 to 'len' (final position out of string)") end
    local n = 0
    while p <= j do
      local code, nxt = decode(s, p)
      if code == nil then return nil, p end
      p = nxt
      n = n + 1
    end
    return n
  end
  local function iscont(s, p)
    local c = sbyte(s, p)
    return c ~= nil and floor(c / 64) == 2
  end
  u.offset = function(s, n, i)
    s = checkString(s, 1, "offset", s ~= nil)
    local len = #s
    if type(n) ~= "number" then raise("bad argument #2 to 'offset' (number expected, got " .. type(n) .. ")") end
    local default = n >= 0 and 1 or len + 1
    local posi = posrelat(i or default, len)
    if posi < 1 or posi > len + 1 then raise("bad argument #3 to 'offset' (position out of range)") end
    if n == 0 then
      while posi > 1 and iscont(s, posi) do posi = posi - 1 end
      return posi
    end
    if iscont(s, posi) then raise("initial position is a continuation byte") end
    if n < 0 then
      while n < 0 and posi > 1 do
        repeat posi = posi - 1 until not (posi > 1 and iscont(s, posi))
        n = n + 1
      end
    else
      n = n - 1
      while n > 0 and posi <= len do
        repeat posi = posi + 1 until not iscont(s, posi)
        n = n - 1
      end
    end
    if n == 0 then return posi end
    return nil
  end
  u.codes = function(s)
    s = checkString(s, 1, "codes", s ~= nil)
    return function(str, p)
      local len = #str
      if p > 0 then
        p = p + 1
        while iscont(str, p) do p = p + 1 end
      else
        p = 1
      end
      if p > len then return nil end
      local code, nxt = decode(str, p)
      if code == nil or iscont(str, nxt) then raise("invalid UTF-8 code") end
      return p, code
    end, s, 0
  end
  G.utf8 = u
end

local libs = { "string", "table", "math", "os", "io", "coroutine", "debug", "package", "utf8", "bit32" }
for _, lib in ipairs(libs) do
  local t = rawget(G, lib)
  if type(t) == "table" then
    local keep, extra = LIVE[lib], KEEP[lib] or {}
    for k in next, t do
      if not keep[k] and not extra[k] then t[k] = nil end
    end
  end
end
for k in next, G do
  if not LIVE._G[k] then G[k] = nil end
end
-- package.loaded holds exactly the libraries (lupa's python, LuaJIT's jit/ffi/bit are gone)
for k in next, package.loaded do
  if not (LIVE._G[k] and type(rawget(G, k)) == "table") then package.loaded[k] = nil end
end
for _, lib in ipairs(libs) do
  local t = rawget(G, lib)
  if type(t) == "table" then package.loaded[lib] = t end
end
package.loaded._G = G

-- utf8 as Lua 5.3 has it: 5.4 widened charpattern, 5.5's offset also returns the end position
if type(rawget(G, "utf8")) == "table" then
  G.utf8.charpattern = "[\0-\127\194-\244][\128-\191]*"
  if _VERSION == "Lua 5.5" then
    local offset = G.utf8.offset
    G.utf8.offset = function(...)
      local r = offset(...)
      return r
    end
  end
end

H.raw = raw
return raw
