local M = { sent = {} }
function M.send(msg) M.sent[#M.sent + 1] = msg; return msg end
return M
