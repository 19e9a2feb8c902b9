"""``ao-harness serve``: start the devnet's four HTTP units and keep them running.

Start-up order: take the data-dir lock and replay the log (``DevNet.start``), bind every port
(a busy port is a clear error before anything is served), spawn the manifest's system on a fresh
data dir, then serve until SIGINT/SIGTERM.  In wall-clock mode a ticker thread brings the
network clock up to the wall clock once a second, which delivers due cron ticks.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from harness.devnet.node import DevNet
from harness.devnet.routes import CU, MU, SU, Gateway, Unit, handler_class
from harness.errors import ServeError  # defined in harness.errors; importable from here too

#: unit -> offset from the base (gateway) port
PORT_OFFSETS = {"gateway": 0, "MU": 2, "SU": 3, "CU": 4}


@dataclass
class Devnet:
    devnet: DevNet
    servers: dict[str, ThreadingHTTPServer]
    host: str
    port: int

    def url(self, unit: str) -> str:
        return f"http://{self.host}:{self.port + PORT_OFFSETS[unit]}"

    def shutdown(self) -> None:
        for srv in self.servers.values():
            srv.shutdown()
            srv.server_close()
        self.devnet.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(
    *,
    data: Path,
    host: str = "127.0.0.1",
    port: int = 4000,
    lua: str = "5.3",
    profile: str = "default",
    root: Path | None = None,
    module_profiles: Mapping[str, str] | None = None,
    clock: str = "wall",
    manifest: Path | None = None,
    use_builds: bool = False,
) -> Devnet:
    """Start every unit in background threads and return the running devnet."""
    su_url = f"http://{host}:{port + PORT_OFFSETS['SU']}"
    devnet = DevNet(
        data,
        lua=lua,
        profile=profile,
        root=root,
        module_profiles=module_profiles,
        clock=clock,
        use_builds=use_builds,
        su_url=su_url,
    )
    devnet.start()
    units: dict[str, Unit] = {
        "gateway": Gateway(devnet),
        "MU": MU(devnet),
        "SU": SU(devnet),
        "CU": CU(devnet),
    }
    servers: dict[str, ThreadingHTTPServer] = {}
    try:
        for name, unit in units.items():
            p = port + PORT_OFFSETS[name]
            try:
                servers[name] = _Server((host, p), handler_class(unit))
            except OSError as exc:
                raise ServeError(
                    f"cannot listen for the {name} on {host}:{p}: {exc.strerror or exc}"
                ) from None
        if manifest is not None:
            devnet.spawn_manifest(manifest)
    except BaseException:
        for srv in servers.values():
            srv.server_close()
        devnet.close()
        raise
    for name, srv in servers.items():
        threading.Thread(target=srv.serve_forever, name=f"devnet-{name}", daemon=True).start()
    return Devnet(devnet, servers, host, port)


def serve_forever(running: Devnet, out: TextIO = sys.stdout) -> int:
    """Print where everything is, tick the clock, and block until SIGINT/SIGTERM."""
    dn = running.devnet
    print(
        f"ao-harness serve: gateway {running.url('gateway')} (GraphQL /graphql, browser view /), "
        f"MU {running.url('MU')}, "
        f"SU {running.url('SU')}, CU {running.url('CU')}",
        file=out,
    )
    print(
        f"  data {dn.data_dir} ({dn.replayed} records replayed), Lua {dn.net.lua_version}, clock {dn.clock}",
        file=out,
    )
    for name, pid in dn.system.items():
        print(f"  {name}: {pid}", file=out)
    print("ready", file=out, flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(1.0):
        if dn.clock == "wall":
            try:
                dn.tick()
            except Exception as exc:  # a failing cron tick must not stop the server
                print(f"ao-harness serve: cron tick failed: {exc}", file=sys.stderr, flush=True)
    running.shutdown()
    print("ao-harness serve: stopped", file=out, flush=True)
    return 0
