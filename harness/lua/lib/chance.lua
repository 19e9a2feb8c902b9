-- .chance: MT19937 for aos's seeded math.random (docs/aos-semantics.md §5.6), clean-room.
-- 32-bit operations are done with integer-exact arithmetic on doubles so the outputs are the same
-- on every Lua (5.1 has no integers and no bit operators).
-- Process code gets live's module: integer, random, seed.  The harness's own parts (int32,
-- seed_from_spawn, and which 32-bit operations are in use) go to the private table the loader
-- passes as the chunk's first argument, as H.chance.
local H = ...
local chance = {}
local private = {}
if type(H) == "table" then H.chance = private end

local floor = math.floor
local TWO32 = 4294967296

local function band(a, b)
  local r, bit = 0, 1
  for _ = 1, 32 do
    local x, y = a % 2, b % 2
    if x == 1 and y == 1 then r = r + bit end
    a, b, bit = (a - x) / 2, (b - y) / 2, bit * 2
    if a == 0 or b == 0 then break end
  end
  return r
end

local function bxor(a, b)
  local r, bit = 0, 1
  for _ = 1, 32 do
    local x, y = a % 2, b % 2
    if x ~= y then r = r + bit end
    a, b, bit = (a - x) / 2, (b - y) / 2, bit * 2
    if a == 0 and b == 0 then break end
  end
  return r
end

-- Prefer native 32-bit operations where the Lua has them (same results, much faster).  Which one
-- is in use is recorded in private.impl ("native" on 5.3+, "bit" on LuaJIT, "bit32" on 5.2,
-- "arithmetic" on 5.1) so the tests can show every path is exercised.
private.impl = "arithmetic"
if math.type then
  -- compiled from a string: `&` and `~` are syntax errors before 5.3
  local ops = load("return function(a, b) return a & b end, function(a, b) return a ~ b end")
  if ops then
    local nband, nbxor = ops()
    band = function(a, b) return nband(floor(a), floor(b)) end
    bxor = function(a, b) return nbxor(floor(a), floor(b)) end
    private.impl = "native"
  end
elseif rawget(_G, "bit") then
  local bit = rawget(_G, "bit")
  local b_and, b_xor = bit.band, bit.bxor
  band = function(a, b) return b_and(a, b) % TWO32 end
  bxor = function(a, b) return b_xor(a, b) % TWO32 end
  private.impl = "bit"
elseif rawget(_G, "bit32") then
  local bit32 = rawget(_G, "bit32")
  band, bxor = bit32.band, bit32.bxor
  private.impl = "bit32"
end

local function shr(a, n) return floor(a / 2 ^ n) end
local function shl(a, n) return (a * 2 ^ n) % TWO32 end

-- a * b mod 2^32 without losing precision in doubles
local function mul32(a, b)
  local ah, al = floor(a / 65536), a % 65536
  return ((ah * b % 65536) * 65536 + al * b) % TWO32
end

local mt, index = {}, 625
local pendingSeed

-- Seeding only records the seed; the state is built on the first draw (most processes never
-- call math.random, and every spawn seeds it).
function chance.seed(seed)
  pendingSeed = floor(seed) % TWO32
  index = 624
end

local function initState(seed)
  mt[0] = seed
  for i = 1, 623 do
    local prev = mt[i - 1]
    mt[i] = (mul32(1812433253, bxor(prev, shr(prev, 30))) + i) % TWO32
  end
  index = 624
end

local function twist()
  if pendingSeed then
    initState(pendingSeed)
    pendingSeed = nil
  end
  for i = 0, 623 do
    local y = band(mt[i], 0x80000000) + band(mt[(i + 1) % 624], 0x7fffffff)
    local v = bxor(mt[(i + 397) % 624], shr(y, 1))
    if y % 2 == 1 then v = bxor(v, 0x9908b0df) end
    mt[i] = v
  end
  index = 0
end

-- The next 32-bit output.
local function int32()
  if index > 624 then chance.seed(5489) end
  if pendingSeed then index = 624 end
  if index >= 624 then twist() end
  local y = mt[index]
  index = index + 1
  y = bxor(y, shr(y, 11))
  y = bxor(y, band(shl(y, 7), 0x9d2c5680))
  y = bxor(y, band(shl(y, 15), 0xefc60000))
  y = bxor(y, shr(y, 18))
  return y
end

-- A float in [0, 1): int32 * 2^-32.
function chance.random()
  return int32() * (1.0 / TWO32)
end

function chance.integer(min, max)
  assert(max >= min, "max must bigger than min") -- (live's words)
  return floor(chance.random() * (max - min + 1) + min)
end

-- The seed aos derives from the spawn message: Block-Height as text followed by the decimal sum
-- of the bytes of Owner .. Module .. Id; fails if any of them is missing (gotcha 14).
function private.seed_from_spawn(blockHeight, owner, module, id)
  assert(blockHeight ~= nil and owner ~= nil and module ~= nil and id ~= nil,
    "the spawn message must carry Block-Height, Owner, a Module tag and Id to seed math.random")
  local text = tostring(owner) .. tostring(module) .. tostring(id)
  local sum = 0
  for i = 1, #text do sum = sum + string.byte(text, i) end
  local bh = blockHeight
  if type(bh) == "number" then bh = string.format("%d", bh) end
  return tonumber(tostring(bh) .. string.format("%d", sum))
end

private.int32 = int32

return chance
