"""ao-harness build: bundling a process with its project modules into one loadable file."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Network
from harness.bundle import (
    BundleError,
    Segment,
    build_all,
    bundle,
    is_bundle,
    marker,
    parse_markers,
    source_map,
)
from harness.cli import main
from harness.coverage.collector import bundle_map


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "ao" / "lib").mkdir(parents=True)
    (tmp_path / "ao" / "lib" / "double.lua").write_text(
        "local sq = require('lib.square')\nlocal M = {}\nfunction M.twice(x) return sq.of(x) * 0 + 2 * x end\nreturn M\n"
    )
    (tmp_path / "ao" / "lib" / "square.lua").write_text(
        "local M = {}\nfunction M.of(x) return x * x end\nreturn M\n"
    )
    src = tmp_path / "ao" / "calc" / "src"
    src.mkdir(parents=True)
    (src / "process.lua").write_text(
        "local json = require('json')\n"
        'local double = require("lib.double")\n'
        "Handlers.add('twice', 'Twice', function(msg)\n"
        "  msg.reply({ Data = json.encode({ r = double.twice(tonumber(msg.Tags.N)) }) })\n"
        "end)\n"
    )
    return tmp_path


def test_bundle_inlines_project_modules_only(project: Path) -> None:
    b = bundle(project / "ao" / "calc" / "src" / "process.lua", project)
    assert set(b.modules) == {"lib.double", "lib.square"}
    assert 'package.preload["lib.square"]' in b.text
    assert 'package.preload["json"]' not in b.text  # provided by aos itself
    assert b.text.index('preload["lib.square"]') < b.text.index('preload["lib.double"]')


def test_bundle_loads_and_behaves_like_the_source(project: Path) -> None:
    build_all(project)
    built = project / "ao" / "calc" / "build" / "process.lua"
    assert built.is_file()
    for use_builds in (False, True):
        net = Network(root=project, use_builds=use_builds)
        p = net.spawn("calc")
        assert p.path is not None and ("build" in p.path) == use_builds
        assert p.send({"Action": "Twice", "N": "21"}).reply.data == '{"r":42}'


def test_bundle_without_project_dir_still_loads(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A build is self-contained: it loads where no ao/lib exists (as on the live network)."""
    build_all(project)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    copy = elsewhere / "process.lua"
    copy.write_text((project / "ao" / "calc" / "build" / "process.lua").read_text())
    p = Network(root=elsewhere).spawn(copy)
    assert p.send({"Action": "Twice", "N": "5"}).reply.data == '{"r":10}'


def test_source_map_points_back_to_source_lines(project: Path) -> None:
    b = bundle(project / "ao" / "calc" / "src" / "process.lua", project)
    mapping = source_map(b.text)
    lines = b.text.splitlines()
    for bundle_line, (path, line) in mapping.items():
        assert lines[bundle_line - 1] == (project / path).read_text().splitlines()[line - 1]
    assert {p for p, _ in mapping.values()} == {
        "ao/lib/double.lua",
        "ao/lib/square.lua",
        "ao/calc/src/process.lua",
    }


def test_writer_and_readers_agree(project: Path) -> None:
    """What bundle() writes, parse_markers reads back: each segment is its file, line for line,
    after the marker that names it; source_map and coverage's bundle_map are the same map."""
    b = bundle(project / "ao" / "calc" / "src" / "process.lua", project)
    lines = b.text.splitlines()
    segments = parse_markers(b.text)
    assert [s.path for s in segments] == ["ao/lib/square.lua", "ao/lib/double.lua", "ao/calc/src/process.lua"]
    for s in segments:
        assert lines[s.start - 2] == marker(s.path, s.first)
        source = (project / s.path).read_text().splitlines()
        assert lines[s.start - 1 : s.start - 1 + s.count] == source[s.first - 1 :]
    expected = {s.start + i: (s.path, s.first + i) for s in segments for i in range(s.count)}
    assert source_map(b.text) == expected
    built = project / "ao" / "calc" / "build" / "process.lua"
    built.parent.mkdir()
    built.write_text(b.text)
    resolved = {line: (str((project / path).resolve()), n) for line, (path, n) in expected.items()}
    assert bundle_map(b.text, built) == resolved
    assert is_bundle(b.text) and not is_bundle((project / "ao" / "lib" / "square.lua").read_text())


@pytest.mark.parametrize("path", ["ao/lib/x.lua", "ao/my lib/x y.lua", "/abs/x.lua"])
@pytest.mark.parametrize("first", [1, 7, 1200])
def test_marker_round_trip(path: str, first: int) -> None:
    text = "\n".join(["head", marker(path, first), "a", "b", "-- @ao-harness end", "tail", marker(path, 2), "c"])
    assert parse_markers(text) == [Segment(path, first, 3, 2), Segment(path, 2, 8, 1)]
    assert source_map(text) == {3: (path, first), 4: (path, first + 1), 8: (path, 2)}


@pytest.mark.parametrize("bad", ["-- @ao-harness source nofirstline", "-- @ao-harness source x.lua -1",
                                 "-- @ao-harness source  3", "-- @ao-harness source x.lua 1.5"])
def test_bad_marker_is_one_line_error_naming_the_place(bad: str) -> None:
    with pytest.raises(BundleError, match=r"^build/process\.lua:2: bad bundle marker .*: expected"):
        parse_markers("x = 1\n" + bad + "\n", "build/process.lua")
    with pytest.raises(BundleError, match=r"^<bundle>:2: bad bundle marker"):
        source_map("x = 1\n" + bad + "\n")


def test_a_marker_inside_a_line_is_not_a_bundle() -> None:
    text = 'local s = "-- @ao-harness source x.lua 1"\nreturn s\n'
    assert not is_bundle(text)
    assert parse_markers(text) == [] and source_map(text) == {}
    assert bundle_map(text, Path("x.lua")) is None


def test_require_cycle_is_reported(project: Path) -> None:
    (project / "ao" / "lib" / "square.lua").write_text("local d = require('lib.double')\nreturn {}\n")
    with pytest.raises(BundleError, match=r"require cycle lib.double -> lib.square -> lib.double"):
        bundle(project / "ao" / "calc" / "src" / "process.lua", project)


def test_build_command(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(project)]) == 0
    assert "built ao/calc/build/process.lua" in capsys.readouterr().out
    assert main(["build", "--root", str(project), "nope"]) == 2
    assert "no ao/<name>/src/process.lua for nope; the processes are calc" in capsys.readouterr().err


def test_missing_build_is_a_clear_error(project: Path) -> None:
    from harness import ProcessNotFound

    with pytest.raises(ProcessNotFound, match="ao-harness build calc"):
        Network(root=project, use_builds=True).spawn("calc")
