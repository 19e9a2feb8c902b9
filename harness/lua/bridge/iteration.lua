-- The bridge's deterministic iteration (not part of aos): harness/lua/env/pairs.lua installed as
-- the global `pairs`, with sorted keys, or a seeded shuffle of them (config.pairs_seed, from
-- --ao-pairs=shuffled:<seed>).  Run by bridge/main.lua with (G, config, P), P the module
-- (env/pairs.lua), which bridge/main.lua ran as a private chunk: process code cannot require it.
-- Returns sortKeys, which sorts an array of keys in `pairs`'s sorted order (the snapshot's
-- canonical text uses it), and the order cache of big tables (which a dry-run must not put back).
local G, config, P = ...

_G.pairs = P.make(config.pairs_seed)
G.protect(P)
return P.sortKeys, P.cache
