-- Code that needs bit32 (Debian's lua5.3 and the live aos module both have it).
local crypto = require("crypto")

describe("crypto", function()
  it("hashes the empty string", function()
    assert.equal(2166136261, crypto.fnv1a(""))
  end)

  it("hashes 'a'", function()
    assert.equal(0xe40c292c, crypto.fnv1a("a"))
  end)

  it("hashes 'foobar'", function()
    assert.equal(0xbf9cf968, crypto.fnv1a("foobar"))
  end)

  it("formats hex", function()
    assert.equal("0000beef", crypto.hex32(0xbeef))
    assert.equal("deadbeef", crypto.hex32(0xdeadbeef))
  end)

  it("xors bytes back and forth", function()
    local secret = crypto.xor_bytes("hello", "k")
    assert.are_not.equal("hello", secret)
    assert.equal("hello", crypto.xor_bytes(secret, "k"))
  end)

  it("rotates left", function()
    assert.equal(2, crypto.rotl(1, 1))
    assert.equal(1, crypto.rotl(0x80000000, 1))
  end)

  it("computes an adler-style checksum", function()
    assert.equal(0x11E60398, crypto.checksum("Wikipedia"))
  end)

  describe("bit32 itself", function()
    it("is a table", function() assert.is_table(bit32) end)
    it("band", function() assert.equal(0x0F, bit32.band(0xFF, 0x0F)) end)
    it("bnot wraps to 32 bits", function() assert.equal(0xFFFFFFFE, bit32.bnot(1)) end)
    it("extract", function() assert.equal(0xB, bit32.extract(0xABCD, 8, 4)) end)
    it("arshift keeps the sign bit", function() assert.equal(0xC0000000, bit32.arshift(0x80000000, 1)) end)
  end)

  describe("math compat", function()
    it("math.pow", function() assert.equal(8, math.pow(2, 3)) end)
    it("math.ldexp", function() assert.equal(12, math.ldexp(3, 2)) end)
  end)
end)
