"""require and the module tables, asked of the live aos module (Lua 5.3.4) and of the harness on
Lua 5.3: what package.loaded and package.preload hold at boot, the bundle searcher, the loaders it
returns and its words for a module it does not know, and which modules aos requires again when it
uses them."""

from __future__ import annotations

from tests.live_module.probes import Probe, probe_suite_53
from tests.live_module.twin import Twin, assert_same

#: require and the module tables as live's: live's core bundles its modules in one table that the
#: second searcher reads (package.preload stays empty); a name it does not know gets
#: "module <name> not found"; process.lua has json, .base64, .pretty, .stringify and `ao` in
#: package.loaded before the first message.
S2 = "package.searchers[2]"
MODULES = [
    # the crypto library is loaded on first require here (a boot ~1.4 ms and ~350 KiB faster): the
    # one difference left in what package.loaded holds, asserted as it is
    Probe(
        "loaded.crypto",
        "return type(package.loaded['.crypto.init']), type(package.loaded['.crypto.digest.md5'])",
        deviation=('ok "nil" "nil"', 'ok "table" "function"'),
    ),
    Probe("preload.empty", "return next(package.preload) == nil"),
    Probe(
        "loaded.at.boot",
        "local t = {} for _, n in ipairs({'json', '.base64', '.pretty', '.stringify', 'ao', '.ao', '.process',"
        " '.handlers', '.utils', '.dump', '.chance', '.bint', '.apm', 'bit32', 'utf8'}) do"
        " t[#t + 1] = n .. '=' .. type(package.loaded[n]) end return table.concat(t, ' ')",
    ),
    Probe("loaded.ao", "return package.loaded.ao == ao, package.loaded.ao == package.loaded['.ao']"),
    Probe("loaded.json.first", "return package.loaded.json == require('json')"),
    Probe("searchers", "return #package.searchers, type(package.searchers[2])"),
    Probe("searcher.found", f"return type({S2}('json')), type({S2}('.utils')), type({S2}('.bint'))"),
    Probe("searcher.init", f"return type({S2}('.crypto')), type({S2}('.crypto.util'))"),
    Probe("searcher.no.init", f"return {S2}('json.init'), {S2}('.crypto.init.init')"),
    Probe("searcher.missing", f"return {S2}('nope'), select('#', {S2}('nope'))"),
    Probe("searcher.number", f"return {S2}(12), {S2}(1.5)"),
    Probe("searcher.empty", f"return {S2}('')"),
    Probe("searcher.dots", f"return {S2}('../x'), {S2}('.hidden')"),
    Probe("searcher.nil", f"return {S2}()"),
    Probe("searcher.table", f"return {S2}({{}})"),
    Probe("searcher.boolean", f"return {S2}(true)"),
    Probe("loader.fresh", f"return {S2}('json') ~= {S2}('json')"),
    Probe("loader.module", f"local f = {S2}('.pretty') local m = f() return type(m), m == require('.pretty')"),
    Probe("loader.args", f"local f = {S2}('.utils') local m = f(1, 2) return type(m), type(m.map)"),
    Probe("loader.bint", f"local f = {S2}('.bint') return type(f), type(f()(256))"),
    Probe("require.missing", "return require('no_such_module')"),
    Probe("require.dotted", "return require('.nope')"),
    Probe("require.number", "return require(12)"),
    Probe("require.crypto", "return require('.crypto') ~= require('.crypto.init'), type(require('.crypto').digest)"),
    Probe("reload.json", "package.loaded.json = nil local j = require('json') return j == package.loaded.json, type(j.encode)"),
    Probe("reload.ao", "package.loaded.ao = nil return require('ao')"),
    Probe(
        "replaced.json",
        "package.loaded.json = { encode = function() return 'mine' end, decode = function() return {} end }"
        " local m = ao.send({ Target = 'x', Data = { a = 1 } }) package.loaded.json = nil return m.Data",
    ),
    # lua-bint's byte-string conversions, rotations and in-place methods (test_bint_extras.py)
    Probe(
        "bint.extras",
        "local b = require('.bint')(256) local t = {} for _, n in ipairs({'_abs', '_add', '_assign', '_band', '_bnot', '_bor', '_bxor', '_dec', '_inc', '_shlone', '_shlwords', '_shrone', '_shrwords', '_sub', '_unm', 'brol', 'bror', 'bwrap', 'frombe', 'fromle', 'tobe', 'tole'})"
        " do t[#t + 1] = type(b[n]) end return table.concat(t, ' ')"
    ),
    Probe("dump.searchers", "local t = {} for i = 1, 5 do t[i] = tostring((pcall(string.dump, package.searchers[i]))) end"
          " return table.concat(t, ' ')"),
]


answers, test_modules = probe_suite_53(MODULES)


def test_aos_requires_json_when_it_uses_it_and_keeps_its_stringify(twin: Twin) -> None:
    """Live's aos asks require for json each time it encodes or decodes table Data, so a module a
    process puts in package.loaded.json is used; print and Eval keep the .stringify of the boot."""
    proc, _ = twin.spawn(None)
    steps = [
        twin.eval(proc, 'Handlers.add("j", "J", function(msg) print(type(msg.Data) .. ":" '
                        '.. tostring(type(msg.Data) == "table" and msg.Data.replaced)) end)'),
        twin.eval(proc, "package.loaded.json = { decode = function() return { replaced = true } end,"
                        " encode = function() return 'E' end } return 1"),
        twin.send(proc, {"Action": "J", "Content-Type": "application/json"}, data='{"a":1}'),
        twin.eval(proc, "Send({ Target = 'x', Data = { a = 1 } }) ao.spawn('m', { Data = { b = 2 } }) return 1"),
        twin.eval(proc, "package.loaded.json = nil package.loaded['.stringify'] = { format = function()"
                        " return 'S' end } print({1}) return 1"),
        twin.eval(proc, "{3}"),
    ]
    assert_same(steps)
    assert steps[2].harness.output == "table:true"
    assert steps[3].harness.messages[0].data == "E" and steps[3].harness.spawns[0].data == "E"
    assert steps[4].harness.output == "{ 1 }\n1" and steps[5].harness.output == "{ 3 }"
