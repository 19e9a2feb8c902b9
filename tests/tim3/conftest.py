"""The TIM3 system on a local network: spawn and wire the five processes; check I1-I6."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness import Network
from harness.manifest import System, load_manifest
from harness.messages import Message
from harness.network import START_TIME_MS
from harness.process import Process

USDA = 1_000_000  # base units per whole USDA / TIM3 (6 decimals)
TIMEOUT_MS = 300_000
CRON_MS = 60_000  # the Cron-Interval aoform.yaml gives the lock manager and the coordinator
#: the deployment manifest: the one description of the TIM3 processes, their tags and their wiring
AOFORM = Path(__file__).resolve().parents[2] / "aoform.yaml"


def data_of(msg: Message) -> Any:
    """The JSON body of a message."""
    return json.loads(msg.data)


@dataclass
class Tim3:
    """The five wired processes plus helpers to drive flows and check invariants."""

    ao: Network
    usda: Process
    lock: Process
    token: Process
    coord: Process
    state: Process
    admin: str
    users: list[str] = field(default_factory=list)
    #: the clock when the processes were spawned: their cron ticks fall at spawned_at + n * CRON_MS
    spawned_at: int = 0
    #: the manifest's system (handles -> processes, ``${...}`` substitution); None when not wired
    system: System | None = None
    #: the network is a clone of a template (``build_system``): ``close`` it after the test
    cloned: bool = False
    #: converted globals by (process id, name): (state version, process, value), see ``_read``
    _reads: dict[tuple[str, str], tuple[int | None, Process, Any]] = field(default_factory=dict, repr=False)

    # -- driving -------------------------------------------------------------------------------

    def user(self, name: str, usda: int = 0) -> str:
        """A wallet with *usda* base units from the faucet."""
        addr = self.ao.wallet(name)
        if addr not in self.users:
            self.users.append(addr)
        if usda:
            r = self.usda.send({"Action": "Mint", "Quantity": str(usda)}, sender=addr)
            assert r.error is None, r.error
            self.ao.run()
        return addr

    def deposit(self, user: str, quantity: int | str, *, run: bool = True) -> Any:
        """User -> USDA Transfer to the lock manager with X-Action = Mint (the mint flow)."""
        r = self.usda.send(
            {"Action": "Transfer", "Recipient": self.lock.id, "Quantity": str(quantity), "X-Action": "Mint"},
            sender=user,
        )
        assert r.error is None, r.error
        if run:
            self.ao.run()
        return r

    def redeem(self, user: str, quantity: int | str, *, run: bool = True) -> Any:
        """User -> TIM3 Transfer to the coordinator with X-Action = Redeem."""
        r = self.token.send(
            {"Action": "Transfer", "Recipient": self.coord.id, "Quantity": str(quantity), "X-Action": "Redeem"},
            sender=user,
        )
        assert r.error is None, r.error
        if run:
            self.ao.run()
        return r

    def transfer(self, sender: str, recipient: str, quantity: int | str) -> Any:
        r = self.token.send({"Action": "Transfer", "Recipient": recipient, "Quantity": str(quantity)}, sender=sender)
        assert r.error is None, r.error
        self.ao.run()
        return r

    def between_ticks(self) -> None:
        """Move the clock to half-way between two cron ticks (delivering the ticks on the way), so
        that a deadline set now also falls half a minute from any tick: a test can then step just
        past it before a tick sweeps."""
        offset = (self.ao.now - self.spawned_at) % CRON_MS
        self.ao.advance((CRON_MS // 2 - offset) % CRON_MS)
        self.ao.run()

    def configure(self, proc: Process, ctype: str, value: str, *, sender: str | None = None) -> Any:
        r = proc.send({"Action": "Configure", "Config-Type": ctype, "Value": value}, sender=sender or self.admin)
        assert r.error is None, r.error
        return r

    def received(self, user: str, action: str, sender: Process | None = None) -> list[Message]:
        """Messages with *action* delivered to *user* (from *sender*, default the coordinator)."""
        frm = (sender or self.coord).id
        return [m for m in self.ao.mailbox(user) if m.action == action and m.sender == frm]

    # -- reading -------------------------------------------------------------------------------

    def _read(self, proc: Process, name: str) -> Any:
        """``proc.globals[name]``, converted once per state of *proc* (the state's ``version``
        says when it may have changed); callers only read the value, never change it."""
        version = proc.version
        key = (proc.id, name)
        hit = self._reads.get(key)
        if hit is not None and version is not None and hit[0] == version and hit[1] is proc:
            return hit[2]
        value = proc.globals[name]
        self._reads[key] = (version, proc, value)
        return value

    def usda_balance(self, who: str) -> int:
        return int(self._read(self.usda, "Balances").get(who, "0"))

    def tim3_balance(self, who: str) -> int:
        return int(self._read(self.token, "Balances").get(who, "0"))

    def tim3_supply(self) -> int:
        return int(self._read(self.token, "TotalSupply"))

    def usda_supply(self) -> int:
        return int(self._read(self.usda, "TotalSupply"))

    def pending(self) -> dict[str, Any]:
        """The coordinator's ``Pending`` (read only: converted once per state, see ``_read``)."""
        return self._read(self.coord, "Pending")

    def snapshot(self) -> dict[str, Any]:
        """Everything I6 says an unauthorised message must not change."""
        keys = {
            self.usda: ["Balances", "TotalSupply", "Locks", "FaucetMax", "Admin"],
            self.lock: ["Deposits", "Releases", "Users", "LockStats", "Config", "Admin"],
            self.token: ["Balances", "TotalSupply", "Operations", "Config", "Admin", "TokenStats"],
            self.coord: ["Config", "Totals", "UserPositions", "Pending", "Completed", "Admin", "Window"],
            self.state: ["SystemState", "UserPositions", "Config", "Admin"],
        }
        return {p.name + "." + k: p.globals[k] for p, ks in keys.items() for k in ks}

    # -- invariants ----------------------------------------------------------------------------

    def check(self, *, quiet: bool = True, baseline: dict[str, int] | None = None) -> None:
        """I1-I5 (I3 when *baseline* maps users to their USDA+TIM3 holdings before the flow).
        With *quiet* the network is first run until nothing is queued."""
        if quiet:
            self.ao.run()
        # I1: supply = sum of balances, both tokens (each table converted once per check)
        tb = self._read(self.token, "Balances")
        ub = self._read(self.usda, "Balances")
        tim3_supply = self.tim3_supply()
        assert tim3_supply == sum(int(v) for v in tb.values()), "I1 TIM3 supply != sum of balances"
        assert self.usda_supply() == sum(int(v) for v in ub.values()), "I1 USDA supply != sum of balances"
        # I2: never under-collateralised; equal once quiet, and equal to the custody ledger
        held = int(ub.get(self.lock.id, "0"))
        assert tim3_supply <= held, f"I2 TIM3 supply {tim3_supply} > USDA held {held}"
        ledger = int(self._read(self.lock, "LockStats")["totalLocked"])
        if quiet:
            assert not self.ao.pending, "network is not quiet"
            assert tim3_supply == held, f"I2 quiet: supply {tim3_supply} != held {held}"
            assert ledger == held, f"I2 ledger {ledger} != USDA held {held}"
            # I4: the read model agrees with the tokens
            ss = self._read(self.state, "SystemState")
            assert int(ss["totalTIM3Supply"]) == tim3_supply, "I4 state supply"
            assert int(ss["totalCollateral"]) == held, "I4 state collateral"
            totals = self._read(self.coord, "Totals")
            assert int(totals["tim3"]) == tim3_supply, "coordinator TIM3 total"
            assert int(totals["collateral"]) == held, "coordinator collateral total"
            # the coordinator never keeps TIM3 once quiet (redeemed TIM3 is burned or returned)
            if not self._read(self.coord, "Pending"):
                assert int(tb.get(self.coord.id, "0")) == 0, "TIM3 stranded at the coordinator"
        # I3: conservation per user (only faucet mints change USDA + TIM3 held)
        if baseline is not None and quiet:
            for user, before in baseline.items():
                now = int(ub.get(user, "0")) + int(tb.get(user, "0"))
                assert now == before, f"I3 user {user[:8]} holds {now}, expected {before}"

    def check_expired(self) -> None:
        """I5: once quiet and past the timeout, nothing is pending."""
        assert not self.ao.pending
        assert self.pending() == {}, f"I5 pending operations remain: {list(self.pending())}"

    def holdings(self) -> dict[str, int]:
        return {u: self.usda_balance(u) + self.tim3_balance(u) for u in self.users}


#: networks built once per configuration and kind (the wired system, the unwired one, one spawned
#: process): (the network, its ``System`` when wired, handle -> process id); tests get clones
_TEMPLATES: dict[tuple[Any, ...], tuple[Network, System | None, dict[str, str]]] = {}


def _template(
    ao: Network, kind: tuple[Any, ...], build: Callable[[Network], tuple[System | None, dict[str, Process]]]
) -> tuple[Network, System | None, dict[str, str]]:
    """The network *build* makes for *ao*'s configuration, built on a network of its own the first
    time: (that network, its ``System`` when wired, handle -> process id)."""
    key = (
        kind,
        ao.lua_version,
        ao.profile.name,
        str(ao.root),
        ao.instruction_budget,
        ao.memory_limit,
        ao.timeout,
        ao.max_deliveries,
        ao.use_builds,
        ao.pairs.lua_seed,
        ao._ids._seed,
        ao.replay_log,
        ao.trace_limit,
    )
    if key not in _TEMPLATES:
        net = ao.clone()  # *ao* is pristine: its clone is an empty network configured like it
        system, procs = build(net)
        _TEMPLATES[key] = (net, system, {name: p.id for name, p in procs.items()})
    return _TEMPLATES[key]


def _wired(net: Network) -> tuple[System | None, dict[str, Process]]:
    system = net.spawn_system(AOFORM)
    return system, dict(system)


def _unwired(net: Network) -> tuple[System | None, dict[str, Process]]:
    return None, _spawn_unwired(net)


def _spawn_unwired(ao: Network) -> dict[str, Process]:
    """Every process of the manifest spawned with its tags, none configured."""
    manifest = load_manifest(AOFORM)
    procs = {}
    for entry in manifest.processes:
        file = entry.build if ao.use_builds and entry.build else entry.source
        procs[entry.name] = ao.spawn(manifest.root / file, tags=entry.tags, name=entry.name)
    return procs


def _pristine(ao: Network) -> bool:
    """Nothing happened on *ao* yet (it can become a clone of a template)."""
    return not ao.processes and not ao.trace and ao._ids._counter == 0 and ao.now == START_TIME_MS


def build_system(ao: Network, *, wire: bool = True) -> Tim3:
    """The TIM3 system as ``aoform.yaml`` deploys it: every process spawned with the manifest's
    tags (``Cron-Interval`` included) and, with *wire*, configured by the manifest's wiring messages
    (``Network.spawn_system``).  ``wire=False`` spawns the same processes unconfigured, for the
    tests of what an unconfigured process answers.

    Cron: the lock manager and the coordinator are spawned with ``Cron-Interval: 1-minute``, so
    ``ao.advance(ms)`` delivers their due ticks (one per minute from the spawn) on the way, and the
    next ``ao.run()`` delivers what those ticks sent.  A test that jumps past the 5-minute timeout
    therefore sees the coordinator's sweep run at the first tick after the deadline, exactly as on
    AO; ``ao.cron(process)`` still delivers one tick at the current time."""
    system: System | None = None
    cloned = _pristine(ao) and ao.replay_log
    if cloned:
        # five processes spawned (and wired) once per configuration; every test gets a clone
        kind, build = (("wired",), _wired) if wire else (("unwired",), _unwired)
        template, wired, ids = _template(ao, kind, build)
        template._clone_into(ao)
        procs = {name: ao.process(pid) for name, pid in ids.items()}
        if wired is not None:
            system = System(ao, wired.manifest, procs)
    elif wire:
        system = ao.spawn_system(AOFORM)
        procs = dict(system)
    else:
        procs = _spawn_unwired(ao)
    return Tim3(
        ao,
        procs["mock-usda"],
        procs["lock-manager"],
        procs["token-manager"],
        procs["coordinator"],
        procs["state-manager"],
        ao.wallet("owner"),
        spawned_at=ao.now,
        system=system,
        cloned=cloned,
    )


def _close(t: Tim3) -> None:
    """After a test: a clone of a template gives its Lua runtimes back for the next test's clone
    (reset, not booted and replayed); a network with errors is kept whole for the strict report."""
    if t.cloned and not t.ao.errors:
        t.ao.close()


@pytest.fixture
def tim3(ao: Network) -> Iterator[Tim3]:
    t = build_system(ao)
    yield t
    _close(t)


@pytest.fixture
def tim3_unwired(ao: Network) -> Iterator[Tim3]:
    """The five processes spawned as ``aoform.yaml`` says, none configured (``build_system(ao,
    wire=False)``)."""
    t = build_system(ao, wire=False)
    yield t
    _close(t)


@pytest.fixture
def fresh(ao: Network) -> Iterator[Callable[..., Process]]:
    """``fresh(name, tags=...)`` is ``ao.spawn(name, tags=...)``: on the test's still empty network
    it is a clone of that one process spawned once per configuration (``Network.clone``), given
    back after the test (``Network.close``) so the next test's clone resets its runtime instead of
    booting and loading the process again."""
    cloned = False

    def spawn(name: str, *, tags: dict[str, str] | None = None) -> Process:
        nonlocal cloned
        if not (_pristine(ao) and ao.replay_log):
            return ao.spawn(name, tags=tags)
        kind = ("spawn", name, tuple((tags or {}).items()))  # the tags in their order, as spawned
        template, _, ids = _template(ao, kind, lambda net: (None, {name: net.spawn(name, tags=tags)}))
        template._clone_into(ao)
        cloned = True
        return ao.process(ids[name])

    yield spawn
    if cloned and not ao.errors:
        ao.close()
