"""``.crypto``'s AES: ``cipher.aes.encrypt/decrypt``, the block ciphers ``.crypto.cipher.aes128``,
``aes192`` and ``aes256``, the five modes ``.crypto.cipher.mode.*`` and ``.crypto.padding.zero``,
probed on the harness and on the live aos module, on every Lua the harness runs.

Live's answers that a reader may not expect, pinned here: the IV is simply the first 16 bytes of
``iv .. data`` (and ECB enciphers it as a first block); zero padding adds ``16 - ((n - 1) % 16) + 1``
zeros after n bytes, so aligned input gets no extra block and two zeros stay behind; a mode or
key length it does not know is CBC or AES-128; a key that is too short fails in the key schedule
with bit32's error, and only when a block is enciphered.
(tests/harness/test_lua_crypto_aes.py checks the same against pycryptodome without node.)

The harness side runs without an instruction budget: this many encryptions run past one
message's default budget.
"""

from __future__ import annotations

from tests.live_module.crypto_probes import LENGTHS, NO_INTEGERS, Skip, bit32_rounds, not_on, prober
from tests.live_module.probes import probe_suite

#: a probe of AES: ``aes`` is ``.crypto.cipher.aes``, AES128/192/256 the block ciphers,
#: CBC/ECB/CFB/OFB/CTR the modes, ``zero`` the padding, ``u`` the utils; hex(s): s in hex;
#: KEY16/24/32: keys of those lengths (binary bytes); IV: a 16-byte IV; arr(s): s's bytes in a
#: table; bytes(t): a table's entries, typed
_p = prober(
    "local c = require('.crypto') local aes = c.cipher.aes local u = c.utils "
    "local AES128, AES192, AES256 = require('.crypto.cipher.aes128'), require('.crypto.cipher.aes192'),"
    " require('.crypto.cipher.aes256') "
    "local CBC, ECB, CFB = require('.crypto.cipher.mode.cbc'), require('.crypto.cipher.mode.ecb'),"
    " require('.crypto.cipher.mode.cfb') "
    "local OFB, CTR = require('.crypto.cipher.mode.ofb'), require('.crypto.cipher.mode.ctr') "
    "local zero = require('.crypto.padding.zero') ",
    "local function hex(s) return (s:gsub('.', function(ch) return string.format('%02X', ch:byte()) end)) end "
    "local KEY16, KEY24, KEY32 = msg(1016):sub(1, 16), msg(1024):sub(1, 24), msg(1032):sub(1, 32) "
    "local IV = msg(1100):sub(1, 16) "
    "local function arr(s) local t = {} for i = 1, #s do t[i] = s:byte(i) end return t end "
    "local function bytes(t) local out = {} for k, v in pairs(t) do out[#out + 1] = tostring(k) .. '='"
    " .. (math.type and math.type(v) or type(v)) .. ':' .. tostring(v) end"
    " table.sort(out) return table.concat(out, ',') end ",
    prefix="crypto.aes.",
)


#: the brief's lengths, and around the 16-byte block
BLOCK_LENGTHS = sorted({*LENGTHS, 15, 16, 17, 31, 32, 33})
SHORT_LENGTHS = [0, 1, 15, 16, 17, 64, 65, 200]
MODES = ["CBC", "ECB", "CFB", "OFB", "CTR"]
KEY_OF = {128: "KEY16", 192: "KEY24", 256: "KEY32"}

STRUCTURE_PROBES = [
    _p("module.keys", "return keys(aes)"),
    _p("module.same", "return aes == require('.crypto.cipher.aes'), c.cipher.aes == aes"),
    *(_p(f"aes{n}.keys", f"return keys(AES{n}), all(AES{n}.blockSize)") for n in (128, 192, 256)),
    *(_p(f"mode.{m.lower()}.keys", f"return keys({m})") for m in MODES),
    *(_p(f"mode.{m.lower()}.cipher.keys", f"return keys({m}.Cipher())") for m in MODES),
    *(_p(f"mode.{m.lower()}.decipher.keys", f"return keys({m}.Decipher())") for m in MODES),
    _p(
        "mode.objects.distinct", "return CBC.Cipher() ~= CBC.Cipher(), CBC.Cipher().init ~= CBC.Cipher().init"
    ),
    _p(
        "mode.chain",
        "local o = CBC.Cipher() return all(o.setKey({}) == o, o.setBlockCipher(AES128) == o,"
        " o.setPadding(zero) == o, o.init() == o, o.update(function() end) == o, o.finish() == o)",
    ),
    _p("padding.type", "return type(zero)"),
    _p("result.keys", "return keys(aes.encrypt('x', KEY16)), keys(aes.decrypt('00', KEY16))"),
]


def _enc(mode: str, bits: int | None, n: int) -> str:
    length = "" if bits is None else f", {bits}"
    key = KEY_OF[bits or 128]
    return (
        f"local e = aes.encrypt(msg({n}), {key}, IV, '{mode}'{length}).asHex()"
        f" return e, aes.decrypt(e, {key}, IV, '{mode}'{length}).asHex()"
    )


ENCRYPT_PROBES = [
    *(_p(f"encrypt.{m.lower()}.len.{n}", _enc(m, None, n)) for m in MODES for n in BLOCK_LENGTHS),
    *(
        _p(f"encrypt.{m.lower()}.{bits}.len.{n}", _enc(m, bits, n))
        for m in MODES
        for bits in (128, 192, 256)
        for n in SHORT_LENGTHS
    ),
    *(
        _p(
            f"encrypt.{m.lower()}.bytes.all",
            f"local e = aes.encrypt(ALL, KEY16, IV, '{m}').asHex()"
            f" return e, aes.decrypt(e, KEY16, IV, '{m}').asHex()",
        )
        for m in MODES
    ),
    # decrypt of hex that no encrypt made: every length, so the cipher text is padded too
    *(
        _p(
            f"decrypt.{m.lower()}.len.{n}",
            f"return aes.decrypt(hex(msg({n})), KEY32, IV, '{m}', 256).asHex()",
        )
        for m in MODES
        for n in (0, 1, 15, 16, 17, 33, 100)
    ),
    _p("encrypt.default", "return aes.encrypt('hello', '0123456789abcdef').asHex()"),
    _p("encrypt.default.iv", "return aes.encrypt('hello', '0123456789abcdef', nil, 'CBC', 128).asHex()"),
    _p("encrypt.empty", "return aes.encrypt('', KEY16).asHex()"),
    _p("encrypt.empty.ecb", "return aes.encrypt('', KEY16, nil, 'ECB').asHex()"),
    _p("encrypt.empty.ecb.iv", "return aes.encrypt('', KEY16, IV, 'ECB').asHex()"),
    _p("encrypt.ecb.iv.block", "return aes.encrypt('hello', KEY16, nil, 'ECB').asHex()"),
    _p(
        "decrypt.ecb.iv.block",
        "return aes.decrypt(aes.encrypt('hello', KEY16, nil, 'ECB').asHex(), KEY16, nil, 'ECB').asHex()",
    ),
    # the IV is the first 16 bytes of iv .. data
    *(
        _p(f"iv.{name}.{m.lower()}", f"return aes.encrypt(msg(40), KEY16, {iv}, '{m}').asHex()")
        for name, iv in (
            ("empty", "''"),
            ("short", "'abc'"),
            ("long", "msg(20)"),
            ("15", "msg(15)"),
            ("zeros", "string.rep('\\0', 16)"),
        )
        for m in ("CBC", "ECB", "CTR")
    ),
    _p(
        "iv.short.empty.data",
        "return aes.encrypt('', KEY16, 'abc').asHex(), aes.encrypt('x', KEY16, 'abc').asHex()",
    ),
    _p(
        "iv.same.as.default",
        "return aes.encrypt(msg(20), KEY16, string.rep('\\0', 16)).asHex() == aes.encrypt(msg(20), KEY16).asHex()",
    ),
    _p("iv.number", "return aes.encrypt(msg(20), KEY16, 1234567).asHex()"),
    # modes and key lengths live does not know: CBC and AES-128
    *(
        _p(
            f"mode.unknown.{name}",
            f"return aes.encrypt(msg(40), KEY32, IV, {mode}).asHex() == aes.encrypt(msg(40), KEY32, IV).asHex()",
        )
        for name, mode in (
            ("lower", "'ecb'"),
            ("other", "'GCM'"),
            ("number", "1"),
            ("false", "false"),
            ("table", "{}"),
        )
    ),
    *(
        _p(
            f"keylength.{name}",
            f"return aes.encrypt(msg(40), KEY32, IV, 'CBC', {bits}).asHex()"
            " == aes.encrypt(msg(40), KEY32, IV).asHex()",
        )
        for name, bits in (
            ("string", "'256'"),
            ("100", "100"),
            ("float", "192.0"),
            ("false", "false"),
            ("nil", "nil"),
        )
    ),
    # a longer key: the first 16/24/32 bytes
    *(
        _p(
            f"key.long.{bits}",
            f"return aes.encrypt(msg(40), msg(2000):sub(1, 40), IV, 'CBC', {bits}).asHex()"
            f" == aes.encrypt(msg(40), msg(2000):sub(1, {bits // 8}), IV, 'CBC', {bits}).asHex()",
        )
        for bits in (128, 192, 256)
    ),
    # results drain: the second call gets nothing
    _p("result.drain", "local r = aes.encrypt(msg(20), KEY16) return r.asHex(), r.asHex()"),
    _p(
        "result.drain.mixed",
        "local r = aes.encrypt(msg(20), KEY16) local h = r.asHex() return h, #r.asString()",
    ),
    _p("result.bytes", "local r = aes.encrypt(msg(5), KEY16) return bytes(r.asBytes())"),
    _p("result.string", "return hex(aes.encrypt(msg(33), KEY16).asString())"),
    _p(
        "decrypt.string",
        "local e = aes.encrypt('attack at dawn!', KEY16).asHex() return aes.decrypt(e, KEY16).asString() == 'attack at dawn!\\0'",
    ),
    _p(
        "decrypt.lower.hex",
        "local e = aes.encrypt(msg(20), KEY16).asHex() return aes.decrypt(e:lower(), KEY16).asHex() == aes.decrypt(e, KEY16).asHex()",
    ),
    _p("decrypt.bad.hex", "return aes.decrypt('00112233445566778899aabbccddeeff00zz1122', KEY16).asHex()"),
    _p("decrypt.odd.hex", "return aes.decrypt(string.rep('ab', 16) .. 'a', KEY16).asHex()"),
    _p("decrypt.number", "return aes.decrypt(12345678901234567890, KEY16).asHex()"),
]

#: keys too short for their key length, through aes.encrypt, aes.decrypt and the block ciphers
SHORT_KEYS = {128: [0, 1, 13, 14, 15], 192: [0, 16, 20, 21, 22, 23], 256: [0, 24, 28, 29, 30, 31]}
KEY_PROBES = [
    *(
        _p(f"key.short.{bits}.{n}", f"return refused(aes.encrypt, 'hello', msg({n}), nil, 'CBC', {bits})")
        for bits, lengths in SHORT_KEYS.items()
        for n in lengths
    ),
    *(
        _p(
            f"key.short.decrypt.{bits}.{n}",
            f"return refused(aes.decrypt, string.rep('ab', 32), msg({n}), nil, 'OFB', {bits})",
        )
        for bits, lengths in SHORT_KEYS.items()
        for n in lengths[:2]
    ),
    _p(
        "key.short.no.block",
        "return aes.encrypt('', 'short').asHex(), aes.encrypt('x', 'short', 'abc').asHex()",
    ),
    _p("key.short.iv.block", "return refused(aes.encrypt, 'x', 'short', msg(40))"),
    _p("key.short.ecb.iv", "return refused(function() return aes.encrypt('', 'short', nil, 'ECB') end)"),
]

WRONG_PROBES = [
    _p("encrypt.data.nil", "return refused(aes.encrypt, nil, KEY16)"),
    _p("encrypt.data.number", "return aes.encrypt(12345, KEY16).asHex()"),
    _p("encrypt.data.table", "return refused(aes.encrypt, {}, KEY16)"),
    _p("encrypt.data.boolean", "return refused(aes.encrypt, true, KEY16)"),
    _p("encrypt.data.stream", "return refused(aes.encrypt, u.stream.fromString('abc'), KEY16)"),
    _p("encrypt.key.nil", "return refused(aes.encrypt, 'abc', nil)"),
    _p("encrypt.key.number", "return refused(aes.encrypt, 'abc', 1234567890)"),
    _p("encrypt.key.table", "return refused(aes.encrypt, 'abc', {1, 2, 3})"),
    _p("encrypt.iv.table", "return refused(aes.encrypt, 'abc', KEY16, {})"),
    _p("encrypt.iv.false", "return refused(aes.encrypt, 'abc', KEY16, false)"),
    _p("encrypt.none", "return refused(aes.encrypt)"),
    _p("decrypt.nil", "return refused(aes.decrypt, nil, KEY16)"),
    _p("decrypt.table", "return refused(aes.decrypt, {}, KEY16)"),
    _p("decrypt.key.nil", "return refused(aes.decrypt, '00', nil)"),
    _p("decrypt.iv.boolean", "return refused(aes.decrypt, '00', KEY16, true)"),
]

#: FIPS-197 appendix C's key and plaintext
FIPS = (
    "local KEY = {} for i = 1, 32 do KEY[i] = i - 1 end "
    "local PLAIN = {} for i = 1, 16 do PLAIN[i] = (i - 1) * 17 end "
    "local function first(t, n) local o = {} for i = 1, n do o[i] = t[i] end return o end "
)
BLOCK_PROBES = [
    *(
        _p(
            f"block.{bits}.fips",
            FIPS + f"local e = AES{bits}.encrypt(first(KEY, {bits // 8}), PLAIN)"
            f" return u.array.toHex(e), u.array.toHex(AES{bits}.decrypt(first(KEY, {bits // 8}), e))",
        )
        for bits in (128, 192, 256)
    ),
    *(
        _p(
            f"block.{bits}.result",
            FIPS + f"return bytes(AES{bits}.encrypt(first(KEY, {bits // 8}), PLAIN)),"
            f" bytes(AES{bits}.decrypt(first(KEY, {bits // 8}), PLAIN))",
        )
        for bits in (128, 192, 256)
    ),
    _p(
        "block.all.bytes",
        FIPS + "local o = {} for i = 0, 15 do local b = arr(ALL:sub(16 * i + 1, 16 * i + 16))"
        " o[#o + 1] = u.array.toHex(AES128.encrypt(b, b)) .. u.array.toHex(AES256.decrypt(KEY, b)) end return table.concat(o)",
    ),
    _p(
        "block.input.kept",
        FIPS
        + "local k, b = first(KEY, 16), first(PLAIN, 16) AES128.encrypt(k, b) AES192.decrypt(first(KEY, 24), b)"
        " return u.array.toHex(k), u.array.toHex(b)",
    ),
    _p(
        "block.key.mutated",
        FIPS + "local k = first(KEY, 16) local a = u.array.toHex(AES128.encrypt(k, PLAIN)) k[1] = 99"
        " local b = u.array.toHex(AES128.encrypt(k, PLAIN)) k[1] = 0 return a ~= b, u.array.toHex(AES128.encrypt(k, PLAIN)) == a",
    ),
    _p(
        "block.key.mutated.256",
        FIPS + "local k = first(KEY, 32) local a = u.array.toHex(AES256.decrypt(k, PLAIN)) k[32] = 0"
        " return a, u.array.toHex(AES256.decrypt(k, PLAIN))",
    ),
    _p(
        "block.key.long",
        FIPS
        + "local k = first(KEY, 32) return u.array.toHex(AES128.encrypt(k, PLAIN)), u.array.toHex(AES192.encrypt(k, PLAIN))",
    ),
    _p(
        "block.key.float", FIPS + "local k = first(KEY, 16) k[3] = 2.0 return bytes(AES128.encrypt(k, PLAIN))"
    ),
    _p(
        "block.key.string.digit",
        FIPS + "local k = first(KEY, 16) k[1] = '0' return bytes(AES128.encrypt(k, PLAIN))",
    ),
    _p(
        "block.key.string.digit.sbox",
        FIPS + "local k = first(KEY, 16) k[14] = '13' return refused(AES128.encrypt, k, PLAIN)",
    ),
    _p(
        "block.key.wide", FIPS + "local k = first(KEY, 16) k[1] = 2^32 return bytes(AES128.encrypt(k, PLAIN))"
    ),
    _p(
        "block.key.fraction",
        FIPS + "local k = first(KEY, 16) k[5] = 1.5 return refused(AES128.encrypt, k, PLAIN)",
    ),
    _p(
        "block.key.300", FIPS + "local k = first(KEY, 16) k[2] = 300 return refused(AES128.encrypt, k, PLAIN)"
    ),
    _p(
        "block.key.300.192",
        FIPS + "local k = first(KEY, 24) k[2] = 300 return refused(AES192.encrypt, k, PLAIN)",
    ),
    _p(
        "block.key.300.256",
        FIPS + "local k = first(KEY, 32) k[30] = 300 return refused(AES256.decrypt, k, PLAIN)",
    ),
    _p(
        "block.key.negative",
        FIPS + "local k = first(KEY, 16) k[16] = -1 return refused(AES128.encrypt, k, PLAIN)",
    ),
    _p(
        "block.key.hole",
        FIPS + "local k = first(KEY, 16) k[7] = nil return refused(AES128.encrypt, k, PLAIN)",
    ),
    *(
        _p(f"block.key.{what}.{bits}.{op}", FIPS + f"return refused(AES{bits}.{op}, {value}, PLAIN)")
        for bits in (128, 192, 256)
        for op in ("encrypt", "decrypt")
        for what, value in (
            ("nil", "nil"),
            ("number", "5"),
            ("string", "'0123456789abcdef0123456789abcdef'"),
            ("empty", "{}"),
        )
    ),
    *(
        _p(
            f"block.block.{what}.{bits}.{op}",
            FIPS + f"return refused(AES{bits}.{op}, first(KEY, {bits // 8}), {value})",
        )
        for bits in (128, 256)
        for op in ("encrypt", "decrypt")
        for what, value in (
            ("nil", "nil"),
            ("number", "5"),
            ("string", "'0123456789abcdef'"),
            ("empty", "{}"),
            ("short", "{1, 2, 3}"),
            ("15", "first(PLAIN, 15)"),
            ("hole.1", "(function() local b = first(PLAIN, 16) b[1] = nil return b end)()"),
            ("hole.3", "(function() local b = first(PLAIN, 16) b[3] = nil return b end)()"),
            ("hole.12", "(function() local b = first(PLAIN, 16) b[12] = nil return b end)()"),
            ("big.4", "(function() local b = first(PLAIN, 16) b[4] = 300 return b end)()"),
            ("big.16", "(function() local b = first(PLAIN, 16) b[16] = 1000 return b end)()"),
            ("fraction", "(function() local b = first(PLAIN, 16) b[2] = 0.5 return b end)()"),
            ("letter", "(function() local b = first(PLAIN, 16) b[9] = 'x' return b end)()"),
            ("digits", "(function() local b = first(PLAIN, 16) b[9] = '7' return b end)()"),
            ("float", "(function() local b = first(PLAIN, 16) b[9] = 7.0 return b end)()"),
            ("extra", "(function() local b = first(PLAIN, 16) b[17] = 1 return b end)()"),
            ("zero.index", "(function() local b = first(PLAIN, 16) b[0] = 1 return b end)()"),
            ("named", "(function() local b = first(PLAIN, 16) b.x = 1 return b end)()"),
        )
    ),
    _p(
        "block.extra.long.key",
        FIPS + "local b = first(PLAIN, 16) b[17] = 1 return bytes(AES128.encrypt(first(KEY, 20), b))",
    ),
    _p(
        "block.extra.long.key.decrypt",
        FIPS + "local b = first(PLAIN, 16) b[17] = 1 return refused(AES128.decrypt, first(KEY, 20), b)",
    ),
    _p(
        "block.extra.long.key.192",
        FIPS + "local b = first(PLAIN, 16) b[17] = 1 return refused(AES192.encrypt, first(KEY, 32), b)",
    ),
]

#: the mode objects by hand: ks(key), bc the block cipher, s(text) a stream of it
MODE = "local function s(text) return u.stream.fromString(text) end "
MODE_PROBES = [
    *(
        _p(
            f"object.{m.lower()}.{bits}",
            MODE + f"local o = {m}.Cipher().setKey(arr({KEY_OF[bits]})).setBlockCipher(AES{bits})"
            f".setPadding(zero).init().update(s(IV)).update(s(msg(50))).finish() local e = o.asHex()"
            f" local d = {m}.Decipher().setKey(arr({KEY_OF[bits]})).setBlockCipher(AES{bits}).setPadding(zero).init()"
            f".update(s(IV)).update(u.stream.fromHex(e)).finish() return e, d.asHex()",
        )
        for m in MODES
        for bits in (128, 256)
    ),
    *(
        _p(
            f"object.{m.lower()}.pieces",
            MODE + f"local o = {m}.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128)"
            f".setPadding(zero).init() o.update(s(IV:sub(1, 5))) o.update(s(IV:sub(6) .. msg(30):sub(1, 7)))"
            f" local a = o.getOutputQueue().size() o.update(s(msg(30):sub(8))) o.finish()"
            f" return a, o.asHex() == aes.encrypt(msg(30), KEY16, IV, '{m}').asHex()",
        )
        for m in MODES
    ),
    _p(
        "object.no.finish",
        MODE + "local o = CBC.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(IV .. msg(40))) return o.getOutputQueue().size(), o.asHex()",
    ),
    _p(
        "object.finish.twice",
        MODE + "local o = CBC.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(IV .. msg(40))) o.finish() local a = o.getOutputQueue().size() o.finish()"
        " return a, o.getOutputQueue().size()",
    ),
    _p(
        "object.reinit",
        MODE + "local o = CFB.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(IV .. msg(40))).finish() local a = o.asHex() o.init() o.update(s(IV .. msg(40))).finish()"
        " return a == o.asHex(), o.asHex()",
    ),
    _p(
        "object.queue",
        MODE + "local o = ECB.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(msg(20))).finish() local q = o.getOutputQueue() return all(q.size(), q.getHead(), q.getTail(), q.pop(), q.size())",
    ),
    _p(
        "object.asbytes",
        MODE + "local o = OFB.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(IV .. 'abc')).finish() return bytes(o.asBytes()), #o.asBytes()",
    ),
    _p(
        "object.asstring",
        MODE + "local o = CTR.Decipher().setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
        " o.update(s(IV .. 'abc')).finish() return hex(o.asString()), o.asString()",
    ),
    # a block cipher of the caller's: the modes take its blockSize
    _p(
        "object.own.cipher",
        MODE + "local id = {blockSize = 4, encrypt = function(k, b) return {b[4], b[3], b[2], b[1]} end,"
        " decrypt = function(k, b) return b end} local o = ECB.Cipher().setBlockCipher(id).setPadding(zero).init()"
        " o.update(s('abcdefghij')).finish() local p = CBC.Decipher().setBlockCipher(id).setPadding(zero).init()"
        " p.update(s('\\1\\2\\3\\4abcdefghij')).finish() return hex(o.asString()), hex(p.asString())",
    ),
    _p(
        "object.own.padding",
        MODE + "local o = CBC.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128)"
        ".setPadding(function(size, count) return s(size .. ':' .. count) end).init()"
        " o.update(s(IV .. msg(10))).finish() return o.asHex()",
    ),
    _p(
        "object.no.padding.stream",
        MODE + "local o = CBC.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128)"
        ".setPadding(function() return function() end end).init() o.update(s(IV .. msg(40))).finish() return o.asHex()",
    ),
    # CTR's counter: the last 8 bytes, carrying, wrapping at 2^64 without touching the first 8
    *(
        _p(f"ctr.counter.{name}", f"return aes.encrypt(string.rep('\\0', 64), KEY16, {iv}, 'CTR').asHex()")
        for name, iv in (
            ("carry", "'ABCDEFGHIJKLM\\0\\0\\254'"),
            ("carry.long", "'ABCDEFGH\\0\\255\\255\\255\\255\\255\\255\\254'"),
            ("wrap", "'ABCDEFGH' .. string.rep('\\255', 7) .. '\\254'"),
            ("wrap.all", "string.rep('\\255', 15) .. '\\254'"),
        )
    ),
    # errors: live's variable names
    _p("object.update.before.init", MODE + "return refused(CBC.Cipher().update, s('a'))"),
    _p("object.update.empty.before.init", MODE + "return all(CBC.Cipher().update(s('')) ~= nil)"),
    _p("object.update.nil", MODE + "return refused(CBC.Cipher().init().update, nil)"),
    _p("object.update.string", MODE + "return refused(CBC.Cipher().init().update, 'abc')"),
    _p("object.update.no.cipher", MODE + "return refused(CBC.Cipher().init().update, s('a'))"),
    _p(
        "object.finish.before.init",
        MODE + "return refused(ECB.Cipher().setBlockCipher(AES128).setPadding(zero).finish)",
    ),
    _p("object.finish.nothing", MODE + "return refused(ECB.Cipher().finish)"),
    _p(
        "object.finish.no.padding", MODE + "return refused(ECB.Cipher().setBlockCipher(AES128).init().finish)"
    ),
    _p("object.finish.no.cipher", MODE + "return refused(ECB.Cipher().setPadding(zero).init().finish)"),
    _p("object.ashex.before.init", MODE + "return refused(OFB.Cipher().asHex)"),
    _p("object.queue.before.init", MODE + "return all(OFB.Cipher().getOutputQueue())"),
    *(
        _p(
            f"object.no.key.{bits}.{m.lower()}",
            MODE + f"return refused(function() return {m}.Cipher().setBlockCipher(AES{bits})"
            ".setPadding(zero).init().update(s(IV .. 'abc')).finish() end)",
        )
        for bits in (128, 192)
        for m in ("CBC", "ECB")
    ),
    _p(
        "object.no.key.iv.only",
        MODE + "return CBC.Cipher().setBlockCipher(AES128).init().update(s(IV)).asHex()",
    ),
    _p(
        "object.key.string",
        MODE + "return refused(function() return ECB.Cipher().setKey(KEY16).setBlockCipher(AES128)"
        ".setPadding(zero).init().update(s(IV)) end)",
    ),
    # a stream of non-bytes: live's errors from its XOR, its S-box and its MixColumns
    *(
        _p(
            f"object.stream.{name}.{m.lower()}",
            MODE + f"local v = {value} return refused(function() return {m}.Cipher()"
            ".setKey(arr(KEY16)).setBlockCipher(AES128).setPadding(zero).init()"
            ".update(u.stream.fromArray({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,"
            " 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, v})).asHex() end)",
        )
        for m in ("CBC", "ECB", "CFB")
        for name, value in (("300", "300"), ("letter", "'x'"), ("digits", "'7'"), ("fraction", "2.5"))
    ),
    _p(
        "object.stream.iv.300.ofb",
        MODE + "return refused(function() return OFB.Cipher().setKey(arr(KEY16)).setBlockCipher(AES128)"
        ".setPadding(zero).init().update(u.stream.fromArray({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 300,"
        " 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})) end)",
    ),
    _p(
        "object.stream.300.decipher",
        MODE + "return refused(function() return CBC.Decipher().setKey(arr(KEY16)).setBlockCipher(AES128)"
        ".setPadding(zero).init().update(u.stream.fromArray({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,"
        " 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 300})) end)",
    ),
]

#: the zero padding's length after each count of bytes, and its values
PADDING_PROBES = [
    _p(
        "padding.counts.16",
        "local o = {} for n = 0, 40 do local st, k = zero(16, n), 0 while st() ~= nil do k = k + 1 end o[#o + 1] = k end"
        " return table.concat(o, ' ')",
    ),
    _p(
        "padding.counts.4",
        "local o = {} for n = -3, 12 do local st, k = zero(4, n), 0 while st() ~= nil do k = k + 1 end o[#o + 1] = k end"
        " return table.concat(o, ' ')",
    ),
    _p("padding.values", "local st = zero(16, 15) return all(st(), st(), st(), st(), st())"),
    _p("padding.strings", "local st, k = zero('16', '5'), 0 while st() ~= nil do k = k + 1 end return k"),
    _p("padding.blocksize.nil", "return refused(zero, nil, 5)"),
    _p("padding.count.nil", "return refused(zero, 16, nil)"),
    _p("padding.both.nil", "return refused(zero)"),
    _p("padding.table", "return refused(zero, {}, 5)"),
    _p("padding.blocksize.zero", "return refused(zero, 0, 5)"),
    _p("padding.float", "local st, k = zero(16.0, 5), 0 while st() ~= nil do k = k + 1 end return all(k)"),
]

#: which of the library's modules requiring one module loads, live's and ours: package.loaded is
#: emptied of the .crypto names first (live loads them all at boot), the module required, the
#: .crypto names it loaded listed and package.loaded put back as it was.  The .crypto.util names
#: are left out: live's helpers require one another otherwise than ours (its array does not load
#: stream, its digests load queue), which these probes are not about.  So aes192 does not load
#: aes128, nor a mode ecb, on either side.
LOADS = (
    "local function loads(name) local saved, out = {}, {}"
    " for k, v in pairs(package.loaded) do"
    " if type(k) == 'string' and k:sub(1, 7) == '.crypto' then saved[k] = v end end"
    " for k in pairs(saved) do package.loaded[k] = nil end"
    " local ok, e = pcall(require, name)"
    " for k in pairs(package.loaded) do if type(k) == 'string' and k:sub(1, 7) == '.crypto' then"
    " if k:sub(1, 13) ~= '.crypto.util.' then out[#out + 1] = k end package.loaded[k] = nil end end"
    " for k, v in pairs(saved) do package.loaded[k] = v end"
    " if not ok then error(e, 0) end table.sort(out) return table.concat(out, ' ') end "
)
LOADED_PROBES = [
    _p(f"loads.{name}", LOADS + f"return loads('.crypto.{name}')")
    for name in (
        "cipher.aes",
        "cipher.aes128",
        "cipher.aes192",
        "cipher.aes256",
        *(f"cipher.mode.{m.lower()}" for m in MODES),
        "padding.zero",
    )
]

ALL = (
    STRUCTURE_PROBES
    + ENCRYPT_PROBES
    + KEY_PROBES
    + WRONG_PROBES
    + BLOCK_PROBES
    + MODE_PROBES
    + PADDING_PROBES
    + LOADED_PROBES
)

#: answered by a runtime error Lua words itself (rewritten from 5.1/5.2/LuaJIT's words)
LUA_WORDED = frozenset(
    {
        "crypto.aes.encrypt.data.nil",
        "crypto.aes.encrypt.data.table",
        "crypto.aes.encrypt.data.boolean",
        "crypto.aes.encrypt.data.stream",
        "crypto.aes.encrypt.key.nil",
        "crypto.aes.encrypt.key.table",
        "crypto.aes.encrypt.iv.table",
        "crypto.aes.encrypt.iv.false",
        "crypto.aes.encrypt.none",
        "crypto.aes.encrypt.data.number",
        "crypto.aes.encrypt.key.number",
        "crypto.aes.iv.number",
        "crypto.aes.decrypt.table",
        "crypto.aes.decrypt.key.nil",
        "crypto.aes.decrypt.iv.boolean",
        *(
            f"crypto.aes.block.key.{what}.128.{op}"
            for what in ("nil", "number")
            for op in ("encrypt", "decrypt")
        ),
        *(
            f"crypto.aes.block.block.{what}.{bits}.{op}"
            for bits in (128, 256)
            for op in ("encrypt", "decrypt")
            for what in ("empty", "short", "15", "hole.1", "hole.3", "hole.12", "big.4", "big.16")
        ),
        "crypto.aes.object.update.before.init",
        "crypto.aes.object.update.nil",
        "crypto.aes.object.update.string",
        "crypto.aes.object.update.no.cipher",
        "crypto.aes.object.finish.before.init",
        "crypto.aes.object.finish.nothing",
        "crypto.aes.object.finish.no.padding",
        "crypto.aes.object.finish.no.cipher",
        "crypto.aes.object.ashex.before.init",
        "crypto.aes.object.no.key.128.cbc",
        "crypto.aes.object.no.key.128.ecb",
        *(f"crypto.aes.object.stream.300.{m}" for m in ("cbc", "ecb", "cfb")),
        "crypto.aes.object.stream.iv.300.ofb",
        "crypto.aes.object.stream.300.decipher",
        "crypto.aes.padding.blocksize.nil",
        "crypto.aes.padding.count.nil",
        "crypto.aes.padding.both.nil",
        "crypto.aes.padding.table",
    }
)


#: why a probe cannot compare on a harness Lua (the live binary is Lua 5.3)
_not_on = not_on(
    ALL,
    Skip(
        NO_INTEGERS,
        {"crypto.aes.padding.blocksize.zero"},
        "Lua {lua} has no integers: n % 0 is nan there, where 5.3 refuses an integer modulo by zero",
    ),
    Skip(
        NO_INTEGERS,
        # live's pairs over a key or block that is not a table (Array.copy, Array.XOR)
        {
            *(
                f"crypto.aes.block.key.{what}.{bits}.{op}"
                for what in ("nil", "number", "string")
                for bits in (192, 256)
                for op in ("encrypt", "decrypt")
            ),
            *(
                f"crypto.aes.block.block.{what}.{bits}.{op}"
                for what in ("nil", "number", "string")
                for bits in (128, 256)
                for op in ("encrypt", "decrypt")
            ),
            "crypto.aes.object.no.key.192.cbc",
            "crypto.aes.object.no.key.192.ecb",
        },
        "Lua {lua}'s pairs refuses a non-table itself ('pairs'), 5.3's returns next and its for loop"
        " refuses it ('for iterator')",
    ),
    # a fractional byte through bit32
    bit32_rounds(
        {
            "crypto.aes.block.key.fraction",
            *(
                f"crypto.aes.block.block.fraction.{bits}.{op}"
                for bits in (128, 256)
                for op in ("encrypt", "decrypt")
            ),
            *(f"crypto.aes.object.stream.fraction.{m}" for m in ("cbc", "ecb", "cfb")),
        }
    ),
)


answers, test_crypto_aes = probe_suite(ALL, worded=LUA_WORDED, not_on=_not_on, budget=False)
