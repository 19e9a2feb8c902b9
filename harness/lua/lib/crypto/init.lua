-- .crypto (and .crypto.init): aos's crypto library, written for this project from what the live
-- module answers (tests/live_module/test_crypto.py asks it the same questions).  As on live the
-- two names are two loads of this file: two tables sharing the same parts.
local util = require(".crypto.util.init")
local digest = require(".crypto.digest.init")
local cipher = require(".crypto.cipher.init")
local mac = require(".crypto.mac.init")
local kdf = require(".crypto.kdf.init")

return {
  _version = "0.0.1",
  digest = digest,
  utils = util,
  cipher = cipher,
  random = cipher.issac.random,
  mac = mac,
  kdf = kdf,
}
