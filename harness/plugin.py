"""The pytest plugin: the ``ao`` fixture, ``--lua``/``--ao-profile`` options, the ``ao`` marker."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import UnexpectedDeliveryErrors
from harness.lua_versions import LUA_MODULES, normalise
from harness.pairs import PairsOrder, parse_pairs
from harness.profiles import PROFILES, get_profile
from harness.run_settings import check_limit, parse_limit, set_run_defaults

if TYPE_CHECKING:
    from harness.network import Network


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ao", "AO process testing (ao-harness)")
    group.addoption(
        "--lua",
        dest="ao_lua",
        default=None,
        choices=sorted(LUA_MODULES),
        help="Lua version that runs processes (default 5.3, the Lua of AO).",
    )
    group.addoption(
        "--ao-profile",
        dest="ao_profile",
        default=None,
        choices=sorted(PROFILES),
        help="aos behaviour profile: default (live module 2025-06), legacy (2.0.1), head.",
    )
    group.addoption(
        "--ao-instruction-budget",
        dest="ao_instruction_budget",
        default=None,
        help="Lua instructions one message may run before it errors (default 20000000; 'none' = no limit).",
    )
    group.addoption(
        "--ao-memory-limit",
        dest="ao_memory_limit",
        default=None,
        help="bytes one process's Lua state may use (default 512 MiB; 'none' = no limit).",
    )
    group.addoption(
        "--ao-timeout",
        dest="ao_timeout",
        default=None,
        help="wall-clock seconds one message may run before the watchdog ends it "
        "(default 30; 'none' = no watchdog).",
    )
    group.addoption(
        "--ao-builds",
        dest="ao_builds",
        action="store_true",
        default=False,
        help="bundle ao/*/src/process.lua into build/ first and spawn processes from the builds",
    )
    group.addoption(
        "--ao-pairs",
        dest="ao_pairs",
        default=None,
        type=_pairs_option,
        metavar="sorted|shuffled[:seed]",
        help="order of `pairs` in processes: sorted (default) or shuffled, per table, from a seed "
        "(random when not given; printed in the header and in failure reports)",
    )
    group.addoption(
        "--ao-flow-html",
        dest="ao_flow_html",
        default=None,
        metavar="DIR",
        help="for every failing test that used the ao fixture, write DIR/<test id>.html: a sequence "
        "diagram of its network's message flow (self-contained HTML)",
    )
    parser.addini("ao_lua", "Lua version that runs processes (5.1, 5.2, 5.3, 5.4, 5.5, jit)", default="5.3")
    parser.addini(
        "ao_root",
        "directory whose ao/<name>/src/process.lua spawn(name) loads (default: rootdir)",
        default="",
    )
    parser.addini("ao_profile", "aos behaviour profile (default, legacy, head)", default="default")
    parser.addini("ao_instruction_budget", "Lua instructions per message before it errors", default="")
    parser.addini("ao_pairs", "order of `pairs` in processes (sorted, shuffled, shuffled:<seed>)", default="")
    parser.addini("ao_memory_limit", "bytes a process's Lua state may use ('none': no limit)", default="")
    parser.addini("ao_timeout", "wall-clock seconds per message before the watchdog ends it", default="")


def _limits(config: pytest.Config) -> dict[str, Any]:
    """The per-message limits given on the command line or in the ini file (validated)."""
    out: dict[str, Any] = {}
    for name, flag in (
        ("instruction_budget", "--ao-instruction-budget"),
        ("memory_limit", "--ao-memory-limit"),
        ("timeout", "--ao-timeout"),
    ):
        text = _setting(config, name)
        if text not in (None, ""):
            try:
                out[name] = parse_limit(name, text)
            except ValueError as exc:
                raise pytest.UsageError(f"{flag} / ini ao_{name}: {exc}") from None
    return out


def pytest_configure(config: pytest.Config) -> None:
    _limits(config)
    flow_dir = config.getoption("ao_flow_html", default=None)
    if flow_dir:  # --ao-flow-html: harness/flow.py writes the diagrams of failing tests
        from harness.flow import FlowHtmlPlugin

        config.pluginmanager.register(
            FlowHtmlPlugin(config.invocation_params.dir / flow_dir), "ao-flow-html"
        )
    config.addinivalue_line(
        "markers",
        "ao(lua=None, profile=None, instruction_budget=..., memory_limit=..., timeout=...,"
        " max_deliveries=None, pairs=None, allow_errors=False): per-test settings of the ao fixture's"
        " Network (allow_errors=True: errored deliveries do not fail the test)",
    )
    # the session's pairs order, parsed once: "shuffled" without a seed picks it here (xdist
    # workers take the controller's, so the header's seed is the one every test ran with)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "ao_pairs" in workerinput:
        value = workerinput["ao_pairs"]
    else:
        value = config.getoption("ao_pairs", default=None) or config.getini("ao_pairs") or None
    try:
        config.stash[_PAIRS_KEY] = parse_pairs(value)
    except ValueError as exc:
        raise pytest.UsageError(f"ao_pairs (ini): {exc}") from None
    # a Network() built inside a test (a hypothesis state machine) follows the run's settings
    config.stash[_PREVIOUS_DEFAULTS_KEY] = set_run_defaults(_run_settings(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PREVIOUS_DEFAULTS_KEY, None)
    if previous is not None:  # restore (an outer run's, under pytester; none at session end)
        set_run_defaults(previous)


def _run_settings(config: pytest.Config) -> dict[str, Any]:
    """The run-wide settings a ``Network`` takes when not given them (see ``Network``)."""
    out: dict[str, Any] = {"root": _root(config), "pairs": _session_pairs(config)}
    for name in ("lua", "profile"):
        value = _setting(config, name)
        if value is not None:
            out[name] = value
    if config.getoption("ao_builds", default=False):
        out["use_builds"] = True
    out.update(_limits(config))
    return out


_PAIRS_KEY = pytest.StashKey[PairsOrder]()
_PREVIOUS_DEFAULTS_KEY = pytest.StashKey[dict[str, Any]]()
#: whether the test's call phase failed (then teardown does not pile strictness errors on it)
_CALL_FAILED_KEY = pytest.StashKey[bool]()
#: the pairs orders the networks of one test used (for its failure report)
_USED_PAIRS_KEY = pytest.StashKey[set[str]]()


def _pairs_option(text: str) -> str:
    """argparse type of --ao-pairs: a bad value is a one-line usage error."""
    import argparse

    try:
        parse_pairs(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand the controller's pairs order (and seed) to each worker."""
    node.workerinput["ao_pairs"] = str(_session_pairs(node.config))


def _session_pairs(config: pytest.Config) -> PairsOrder:
    order = config.stash.get(_PAIRS_KEY, None)
    return order if order is not None else parse_pairs(None)


def _setting(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"ao_{name}", default=None)
    if value is None:
        value = config.getini(f"ao_{name}") or None
    return value


def _root(config: pytest.Config) -> Path:
    root_ini = config.getini("ao_root")
    return Path(str(config.rootpath)) / root_ini if root_ini else Path(str(config.rootpath))


def pytest_sessionstart(session: pytest.Session) -> None:
    # under xdist only the controller builds (workers have `workerinput`)
    if session.config.getoption("ao_builds", default=False) and not hasattr(session.config, "workerinput"):
        from harness.bundle import build_all

        build_all(_root(session.config))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """hypothesis's own pytest plugin (installed with the harness, which depends on hypothesis)
    imports all of hypothesis at the end of every session, ~0.27 s, to report observability files
    its tests may have written.  When collection left hypothesis unimported, no collected test
    uses it, and that plugin is unregistered for the rest of the session."""
    if "hypothesis" in sys.modules:
        return
    manager = session.config.pluginmanager
    plugin = manager.get_plugin("hypothesispytest")
    if plugin is not None:
        manager.unregister(plugin)


def pytest_report_header(config: pytest.Config) -> str:
    lua = normalise(_setting(config, "lua"))
    profile = get_profile(_setting(config, "profile"))
    source = "ao/*/build (bundled)" if config.getoption("ao_builds", default=False) else "ao/*/src"
    return (
        f"ao-harness: Lua {lua} ({LUA_MODULES[lua]}), aos profile {profile.name} "
        f"({profile.description}), processes from {source}, pairs {_session_pairs(config)}"
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Network settings for this test: command line / ini, then ``ao`` markers (nearest wins)."""
    config = request.config
    options: dict[str, Any] = {
        "lua": _setting(config, "lua"),
        "profile": _setting(config, "profile"),
        "pairs": _session_pairs(config),
    }
    options.update(_limits(config))
    for marker in reversed(list(request.node.iter_markers("ao"))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.ao takes keyword arguments only (lua=..., profile=...), got {marker.args!r}"
            )
        for name in ("instruction_budget", "memory_limit", "timeout"):
            if name in marker.kwargs:
                try:
                    check_limit(name, marker.kwargs[name])
                except ValueError as exc:
                    pytest.fail(f"@pytest.mark.ao: {exc}", pytrace=False)
        options.update({k: v for k, v in marker.kwargs.items()})
    options.setdefault("use_builds", bool(config.getoption("ao_builds", default=False)))
    options["root"] = _root(config)
    return options


def _network(request: pytest.FixtureRequest, options: dict[str, Any]) -> Network:
    problem = None
    try:
        options["pairs"] = parse_pairs(options.get("pairs"))
    except ValueError as exc:
        problem = f"ao pairs setting: {exc}"
    if problem is not None:  # outside the except block: one line, no chained traceback
        pytest.fail(problem, pytrace=False)
    from harness.network import Network  # (imported when a test first asks for a network)

    net = Network(**options)
    request.node.stash.setdefault(_USED_PAIRS_KEY, set()).add(str(net.pairs))
    return net


def _check_strict(request: pytest.FixtureRequest, networks: list[Network]) -> None:
    """Teardown: fail the test when a delivery errored and the test never read the error (unless
    the call already failed, or the network allows errors)."""
    __tracebackhide__ = True
    if request.node.stash.get(_CALL_FAILED_KEY, False):
        return
    problems = []
    for net in networks:
        try:
            net.check_errors()
        except UnexpectedDeliveryErrors as exc:
            problems.append(str(exc))
    if problems:  # outside the except block: no chained traceback
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def ao(request: pytest.FixtureRequest) -> Iterator[Network]:
    """A fresh local AO network for this test (``harness.Network``).  Strict: the test fails at
    teardown when a delivery errored and the test never read that error (see
    ``Network.check_errors``), unless ``@pytest.mark.ao(allow_errors=True)``."""
    net = _network(request, _options(request))
    yield net
    _check_strict(request, [net])


@pytest.fixture
def ao_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., Network]]:
    """Make more networks with this test's settings: ``ao_factory(profile="legacy")``; strict
    like ``ao`` (each network is checked at teardown)."""
    base = _options(request)
    made: list[Network] = []

    def make(**overrides: Any) -> Network:
        net = _network(request, {**base, **overrides})
        made.append(net)
        return net

    yield make
    _check_strict(request, made)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test whose processes iterated tables in a shuffled order says which order, so
    the failure can be replayed (as hypothesis prints its seed)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.when == "call":
        item.stash[_CALL_FAILED_KEY] = report.failed
    if not report.failed:
        return
    used = sorted(o for o in item.stash.get(_USED_PAIRS_KEY, set()) if o.startswith("shuffled"))
    if used:
        replay = " ".join(f"--ao-pairs={o}" for o in used)
        text = f"processes iterated tables with pairs {', '.join(used)}; replay: {replay}"
        report.sections.append(("ao-harness pairs order", text))
