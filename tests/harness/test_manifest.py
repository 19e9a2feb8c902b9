"""aoform.yaml: spawn_system, the manifest's errors, and `ao-harness run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Network
from harness.cli import main
from harness.manifest import ManifestError, load_manifest
from harness.scenario import run_manifest

ROOT = Path(__file__).resolve().parents[2]
AOFORM = ROOT / "aoform.yaml"


def test_spawn_system_spawns_and_wires_every_process() -> None:
    net = Network(root=ROOT)
    system = net.spawn_system(AOFORM)
    manifest = load_manifest(AOFORM)
    assert list(system) == [p.name for p in manifest.processes]
    assert {system[name].name for name in system} == set(system)
    # every wiring message was accepted: a Configure-Response went back to the owner
    responses = [m for m in net.mailbox(net.wallet("owner")) if m.action == "Configure-Response"]
    assert len(responses) == len(manifest.wiring)
    for entry in manifest.processes:
        for tag, value in entry.tags.items():
            assert (tag, value) in system[entry.name].spawn_tags


def test_substitution_of_process_and_wallet_references() -> None:
    net = Network(root=ROOT)
    system = net.spawn_system(AOFORM)
    assert system.substitute("${coordinator}") == system["coordinator"].id
    assert system.substitute("to ${wallet:bob}") == "to " + net.wallet("bob")
    with pytest.raises(ManifestError, match="names no process"):
        system.substitute("${nope}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("processes: []\n", "processes: a non-empty list is required"),
        ("processes:\n  - source: a.lua\n", r"processes\[0\]: name: is required"),
        (
            "processes:\n  - {name: a, source: a.lua}\n  - {name: a, source: b.lua}\n",
            "duplicate process name 'a'",
        ),
        (
            "processes:\n  - {name: a, source: a.lua}\nwiring:\n  - {to: b, Action: X}\n",
            r"wiring\[0\]: to: 'b' is not a process",
        ),
        ("processes:\n  - {name: a, source: a.lua, tags: {N: [1]}}\n", "tag 'N' must be a string"),
        ("processes: [\n", "not valid YAML"),
    ],
)
def test_malformed_manifest_names_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "aoform.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message) as info:
        load_manifest(path)
    assert str(path) in str(info.value)


def test_refused_wiring_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "p.lua").write_text(
        "Handlers.add('c', 'Configure', function(m) m.reply({ Action = 'Configure-Error', Error = 'no' }) end)"
    )
    (tmp_path / "aoform.yaml").write_text(
        "processes:\n  - {name: p, source: p.lua}\nwiring:\n  - {to: p, Action: Configure}\n"
    )
    with pytest.raises(ManifestError, match=r"wiring\[0\] to p was refused: no"):
        Network(root=tmp_path).spawn_system(tmp_path / "aoform.yaml")


def test_run_manifest_plays_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    import io

    out = io.StringIO()
    assert run_manifest(AOFORM, out=out) == 0
    text = out.getvalue()
    assert "== Final balances" in text
    assert "0 failed expectations" in text
    assert "coordinator -> alice" in text and "Mint-Error" in text


def test_run_manifest_reports_a_failed_expectation(tmp_path: Path) -> None:
    import io

    (tmp_path / "t.lua").write_text(
        "Balances = Balances or {}\nHandlers.add('m', 'Mint', function(m) Balances[m.From] = '5' end)"
    )
    (tmp_path / "aoform.yaml").write_text(
        "processes:\n  - {name: t, source: t.lua}\nscenario:\n"
        "  - {title: mint, from: alice, to: t, tags: {Action: Mint}, expect: {balances: {t: {alice: '6'}}}}\n"
    )
    out = io.StringIO()
    assert run_manifest(tmp_path / "aoform.yaml", out=out) == 1
    assert "FAILED: t balance of alice: expected 6, got 5" in out.getvalue()


def test_cli_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(AOFORM)]) == 0
    assert "Final balances" in capsys.readouterr().out
    assert main(["run", str(ROOT / "missing.yaml")]) == 2  # a usage error, not a failed run
    assert "missing.yaml: no such file" in capsys.readouterr().err


# -- reading: libyaml when present, and the cache of validated manifests -------------------------

_BROKEN_YAML = [
    "processes: [\n",
    "processes:\n  - name: a\n source: a.lua\n",
    "processes:\n  - {name: a, source: a.lua}\n\twiring: []\n",
    "a: b: c\n",
    "processes:\n  - name: 'a\n",
    "- a\nb: c\n",
    "processes: &x\n  - *y\n",
    "key: @value\n",
]


@pytest.mark.parametrize("text", _BROKEN_YAML)
def test_broken_yaml_reads_the_same_with_and_without_libyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    import yaml

    path = tmp_path / "aoform.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError, match="not valid YAML") as fast:
        load_manifest(path)
    monkeypatch.delattr(yaml, "CSafeLoader")  # PyYAML built without libyaml
    with pytest.raises(ManifestError, match="not valid YAML") as pure:
        load_manifest(path)
    assert str(fast.value) == str(pure.value)


def test_manifest_reads_the_same_with_and_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    fast = load_manifest(AOFORM)
    monkeypatch.delattr(yaml, "CSafeLoader")
    monkeypatch.setattr("harness.manifest._CACHE", {})
    assert load_manifest(AOFORM) == fast


def test_a_changed_manifest_is_read_again_even_with_the_same_size_and_mtime(tmp_path: Path) -> None:
    import os

    path = tmp_path / "aoform.yaml"
    path.write_text("processes:\n  - {name: a, source: a.lua}\n")
    stat = path.stat()
    assert [p.name for p in load_manifest(path).processes] == ["a"]
    path.write_text("processes:\n  - {name: b, source: b.lua}\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert [p.name for p in load_manifest(path).processes] == ["b"]
    path.write_text("processes: [\n")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(path)
    path.unlink()
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(path)


def test_changing_a_loaded_manifest_does_not_change_the_next_one() -> None:
    first = load_manifest(AOFORM)
    expected = load_manifest(AOFORM)
    first.processes[0].tags["Name"] = "changed"
    first.processes.pop()
    first.wiring.clear()
    first.scenario[0].tags.clear()
    first.scenario[-1].expect.clear()
    again = load_manifest(AOFORM)
    assert again == expected and again != first
    assert again.processes is not expected.processes
