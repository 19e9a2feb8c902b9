-- The suite's helper: the globals an AO process expects, set up once in the global environment.
_G.ao = require("spec.mocks.ao")
_G.Handlers = require("spec.mocks.handlers")
_G.Owner = "owner-address"
