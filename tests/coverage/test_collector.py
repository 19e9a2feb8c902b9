"""The line hook inside Lua states: handler coroutines, user coroutines, rollback/replay,
the budget, bundles, handler counts, and the coverage-off path."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.bundle import BundleError, bundle
from harness.coverage import collector
from harness.coverage.collector import Collector, bundle_map
from harness.coverage.lines import executable_lines
from harness.network import Network

VERSIONS = ["5.1", "5.3", "5.4", "jit"]


def _lines(cov: Collector, path: Path) -> set[int]:
    cov.drain()
    return cov.total.get(str(path.resolve()), set())


@pytest.mark.parametrize("version", VERSIONS)
def test_handler_and_module_lines(version: str, project: Path, cov: Collector) -> None:
    net = Network(lua=version, root=project)
    p = net.spawn("demo")
    assert p.send({"Action": "Add", "N": "5"}).error is None
    proc = project / "ao/demo/src/process.lua"
    util = project / "ao/lib/util.lua"
    hit = _lines(cov, proc)
    assert {2, 4, 6, 7, 8, 9, 12, 17} <= hit  # top level and the Add handler
    assert not hit & {13, 14, 18, 19, 20, 22, 23}  # Never and Spin bodies did not run
    assert hit <= executable_lines(proc, version)
    assert _lines(cov, util) == executable_lines(util, version) - {6}  # the error branch


@pytest.mark.parametrize("version", VERSIONS)
def test_coroutines_created_by_the_process(version: str, project: Path, cov: Collector) -> None:
    net = Network(lua=version, root=project)
    p = net.spawn("demo")
    r = p.send({"Action": "Spin"})
    assert r.messages[0].data == "42"
    assert {18, 19, 20, 22, 23} <= _lines(cov, project / "ao/demo/src/process.lua")


def test_rollback_and_replay_keep_lines_of_failed_messages(project: Path, cov: Collector) -> None:
    net = Network(root=project)
    p = net.spawn("demo")
    r = p.send({"Action": "Add", "N": "x"})
    assert r.error is not None and "not a number" in r.error
    # the state was discarded (rolled back) and its lines harvested first
    assert 6 in _lines(cov, project / "ao/lib/util.lua")
    before = p.rebuilds
    p.dryrun({"Action": "Add", "N": "2"})
    assert p.send({"Action": "Add", "N": "1"}).messages[0].data == "1"
    assert p.rebuilds > before  # replayed the log into a fresh state
    cov.drain()
    counts = cov.handlers["demo"].names
    assert counts["Add"] == p.handler_matches["Add"] == 3  # the failed one, the dry run and the last; not the replays


def test_budget_still_enforced_with_coverage(project: Path, cov: Collector) -> None:
    net = Network(root=project, instruction_budget=100_000)
    p = net.spawn(source="Handlers.add('Loop', { Action = 'Loop' }, function() while true do end end)")
    r = p.send({"Action": "Loop"})
    assert r.error is not None and "instruction budget exceeded" in r.error


def test_hook_mask_on_and_off(project: Path) -> None:
    # the harness's own hook (budget, and the line hook of coverage) is invisible to
    # debug.gethook either way; coverage records lines only while a collector is installed
    src = (
        "Handlers.add('Mask', { Action = 'Mask' }, function(m)\n"
        "  m.reply({ Data = tostring(debug.gethook()) })\n"
        "end)"
    )
    path = project / "mask.lua"
    path.write_text(src)
    with collector.installed(None):
        off = Network(root=project).spawn(path)
        assert off.send({"Action": "Mask"}).messages[0].data == "nil"
    with collector.installed(Collector(root=project)):
        on = Network(root=project).spawn(path)
        assert on.send({"Action": "Mask"}).messages[0].data == "nil"


def test_runtime_excluded_by_default_and_included_on_request(project: Path) -> None:
    from harness.chunks import LUA_DIR

    handlers_lua = str((LUA_DIR / "aos/handlers.lua").resolve())
    for runtime in (False, True):
        col = Collector(root=project, runtime=runtime)
        with collector.installed(col):
            p = Network(root=project).spawn("demo")
            p.send({"Action": "Add", "N": "1"})
            col.drain()
        assert (handlers_lua in col.total) is runtime
        if runtime:
            # module top level (run at boot) and dispatch lines are both there
            assert 1 < min(col.total[handlers_lua]) < 10
            assert col.total[handlers_lua] <= executable_lines(handlers_lua, p.lua_version)


def test_include_patterns(project: Path) -> None:
    col = Collector(root=project, include=["ao/lib/*.lua"])
    with collector.installed(col):
        Network(root=project).spawn("demo").send({"Action": "Add", "N": "1"})
        col.drain()
    assert [Path(p).name for p in col.total] == ["util.lua"]


def test_handler_counts_and_never_matched(project: Path, cov: Collector) -> None:
    net = Network(root=project)
    for _ in range(2):
        p = net.spawn("demo")
        p.send({"Action": "Add", "N": "1"})
        p.send({"Action": "Add", "N": "2"})
    p.send({"Action": "Nobody"})
    cov.drain()
    from harness.coverage.report import handler_summary, handler_table

    s = handler_summary(cov.handlers["demo"])
    assert s["handlers"] == {"Add": 4, "Never": 0, "Spin": 0}
    assert s["never_matched"] == ["Never", "Spin"]
    assert s["states"] == 2 and s["unhandled"] == 1
    table = handler_table(cov.handlers)
    assert "never matched: Never, Spin" in table


def test_handmade_bundle_maps_to_sources(project: Path, cov: Collector) -> None:
    util = (project / "ao/lib/util.lua").read_text().splitlines()
    main = (project / "ao/demo/src/process.lua").read_text().splitlines()
    text = "\n".join(
        [
            "-- hand-made bundle",
            'package.preload["lib.util"] = function(...)',
            "-- @ao-harness source ao/lib/util.lua 1",
            *util,
            "-- @ao-harness end",
            "end",
            "-- @ao-harness source ao/demo/src/process.lua 1",
            *main,
            "-- @ao-harness end",
        ]
    )
    build = project / "ao/demo/build/process.lua"
    build.parent.mkdir()
    build.write_text(text + "\n")
    mapping = bundle_map(text, build)
    assert mapping is not None
    assert mapping[4] == (str((project / "ao/lib/util.lua").resolve()), 1)
    p = Network(root=project).spawn("ao/demo/build/process.lua")
    p.send({"Action": "Add", "N": "3"})
    cov.drain()
    assert str(build.resolve()) not in cov.total
    assert {2, 7, 8, 9} <= cov.total[str((project / "ao/demo/src/process.lua").resolve())]
    assert {3, 4, 5, 8} <= cov.total[str((project / "ao/lib/util.lua").resolve())]


def test_bundle_from_the_bundler_maps_back(project: Path, cov: Collector) -> None:
    b = bundle(project / "ao/demo/src/process.lua", project)
    build = project / "ao/demo/build/process.lua"
    build.parent.mkdir()
    build.write_text(b.text)
    p = Network(root=project).spawn("ao/demo/build/process.lua")
    p.send({"Action": "Add", "N": "3"})
    cov.drain()
    direct = Collector(root=project)
    with collector.installed(direct):
        Network(root=project).spawn("demo").send({"Action": "Add", "N": "3"})
        direct.drain()
    # the bundle's lines land on the source files, the process's and its module's, exactly
    # as a run of the sources themselves records them
    assert str(build.resolve()) not in cov.total
    for rel in ("ao/demo/src/process.lua", "ao/lib/util.lua"):
        path = str((project / rel).resolve())
        assert cov.total[path] == direct.total[path], rel


def test_bad_bundle_marker_is_named(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"b\.lua:2: bad bundle marker"):
        bundle_map("x = 1\n-- @ao-harness source nofirstline\n", tmp_path / "b.lua")


def test_bridge_files_are_runtime_never_user_code(project: Path) -> None:
    """The bridge (harness/lua/bridge/, the entry chunk and its parts) is measured only with the
    runtime, under its own file names; it never shows up as user code."""
    from harness.chunks import BRIDGE_ENTRY, BRIDGE_PARTS, LUA_DIR

    bridge_files = {str((LUA_DIR / rel).resolve()) for rel in (BRIDGE_ENTRY, *BRIDGE_PARTS.values())}
    for runtime in (False, True):
        col = Collector(root=project, runtime=runtime)
        with collector.installed(col):
            p = Network(root=project).spawn("demo")
            p.send({"Action": "Add", "N": "1"})
            col.drain()
        measured = set(col.total)
        if not runtime:
            assert not any(Path(f).is_relative_to(LUA_DIR.resolve()) for f in measured)
            continue
        assert bridge_files <= measured, sorted(bridge_files - measured)
        for path in bridge_files:
            assert col.total[path] <= executable_lines(path, "5.3"), path


def test_a_state_collected_while_another_is_harvested_keeps_its_lines(project: Path, cov: Collector) -> None:
    """A state's finalizer can run inside the garbage collector while the collector walks its
    live states (a harvest, a drain): it must not change what is being walked, and the collected
    state's lines still arrive."""
    import gc

    keep = Network(root=project).spawn("demo")
    gone = Network(root=project).spawn("demo")
    assert gone.send({"Action": "Spin"}).messages[0].data == "42"  # lines only `gone` ran
    walked = []

    class Walking(dict):  # the live states, walked with a garbage collection between two of them
        def items(self):  # type: ignore[no-untyped-def]
            for item in super().items():
                walked.append(item[0])
                gc.collect()
                yield item

    gc.disable()  # (no collection before the walk's own)
    try:
        cov._live = Walking(cov._live)
        del gone
        # a failed message rolls `keep` back: its state is harvested, and `gone` is collected
        # during that harvest's walk
        assert keep.send({"Action": "Add", "N": "x"}).error is not None
    finally:
        gc.enable()
        cov._live = dict(cov._live)
    assert walked
    assert {18, 19, 20, 22, 23} <= _lines(cov, project / "ao/demo/src/process.lua")
