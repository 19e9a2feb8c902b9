-- .crypto.kdf.init: key derivation, as live's (PBKDF2 only).
local PBKDF2 = require(".crypto.kdf.pbkdf2")

return {
  _version = "0.0.1",
  pbkdf2 = PBKDF2.pbkdf2,
}
