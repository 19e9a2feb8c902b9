-- .crypto.util.bit: the crypto library's bitwise operations.  On live they are the bit32 library
-- itself (Lua 5.3 built with its 5.2 compatibility functions), so here they are the harness's
-- bit32 (env/compat.lua), which gives live's answers on every Lua.
return require("bit32")
