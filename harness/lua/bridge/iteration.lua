-- The bridge's deterministic iteration (not part of aos): harness/lua/env/pairs.lua installed as
-- the global `pairs`, with sorted keys, or a seeded shuffle of them (config.pairs_seed, from
-- --ao-pairs=shuffled:<seed>).  Run by bridge/main.lua with (G, config); the module stays
-- private (taken out of package.preload once loaded).  Returns sortKeys, which sorts an array of
-- keys in `pairs`'s sorted order (the snapshot's canonical text uses it), and the order cache
-- of big tables (which a dry-run must not put back).
local G, config = ...

local name = "harness.pairs"
local P = require(name)
package.loaded[name], package.preload[name] = nil, nil
_G.pairs = P.make(config.pairs_seed)
G.protect(P)
return P.sortKeys, P.cache
