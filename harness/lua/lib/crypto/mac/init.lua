-- .crypto.mac.init: message authentication codes, as live's (HMAC only).
local Hmac = require(".crypto.mac.hmac")

return {
  _version = "0.0.1",
  createHmac = Hmac.hmac,
}
