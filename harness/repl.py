"""``ao-harness repl``: an aos-like prompt on a local network, or on a running ``ao-harness serve``.

Each Lua chunk typed at the prompt becomes an ``Action = Eval`` message from the process owner,
as aos sends it; its output (or error) is printed the way the aos client prints it, and so are the
outputs of other messages the process handles meanwhile (an unhandled one prints aos's
``New Message From …: Action = …`` line).  A chunk that Lua reports as unfinished ("… near
<eof>") continues on the next line.  ``.load FILE`` inlines the file and the project modules it
``require``s with the bundler of ``ao-harness build`` and sends the result as one Eval.

Two back ends: :class:`LocalBackend` runs a ``harness.Network`` in this process (a bare aos
process, a process file, or an ``aoform.yaml`` system); :class:`RemoteBackend` (``--connect
URL``) signs ANS-104 data items with a wallet and talks to the devnet's MU and CU over HTTP, on
the routes aoconnect uses.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from harness.errors import ReplError, Unreachable  # defined in harness.errors; importable from here too

if TYPE_CHECKING:
    from harness.devnet.dataitem import Signer
    from harness.network import Network
    from harness.process import Process

DEFAULT_HISTORY = "~/.ao-harness_history"
DEFAULT_WALLET = "~/.ao-harness/wallet.json"
HISTORY_LENGTH = 1000

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_AOS_LINE = re.compile(r'\[string "aos"\]:(\d+): ')
#: one "<number><unit>" part of a duration (longer unit names first: "min" is not "m" + "in")
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)(milliseconds?|ms|minutes?|mins?|m|seconds?|secs?|s|hours?|h|days?|d)"
)
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

COMMANDS = {
    ".help": "this help",
    ".load FILE": "send FILE (and the project modules it requires, inlined) as one Eval",
    ".editor": "type a multi-line chunk; .done sends it, .cancel drops it",
    ".switch [NAME]": "eval into another process of the network (no NAME: list them)",
    ".advance DURATION": "move the network clock forward (1h, 30m, 2d, 1h30m, 500ms): cron ticks run",
    ".cancel": "drop an unfinished multi-line chunk (Ctrl-C does the same)",
    ".exit": "leave (Ctrl-D does the same)",
}


# -- what a back end returns ------------------------------------------------------------------


@dataclass
class EvalReply:
    """The Eval's printed output or its error, and the outputs of the other messages the process
    handled since the last action (aos prints those as they arrive)."""

    output: str = ""
    error: str | None = None
    incoming: list[str] = field(default_factory=list)


class Backend(Protocol):
    #: the Lua version whose compiler decides when a typed chunk is complete
    lua: str
    #: where ``.load`` resolves project modules (``<root>/ao``) and shows file names from
    root: Path

    @property
    def current(self) -> str: ...

    def describe(self) -> str: ...

    def eval(self, code: str) -> EvalReply: ...

    def prompt(self) -> str: ...

    def names(self, path: list[str]) -> list[str]: ...

    def switch(self, name: str | None) -> str: ...

    def advance(self, ms: int) -> tuple[str, list[str]]: ...

    def poll(self) -> list[str]: ...

    def close(self) -> None: ...


def parse_duration(text: str) -> int:
    """``"1h"``, ``"30m"``, ``"1h30m"``, ``"500ms"``, ``"2 days"``, ``"5-minutes"`` -> milliseconds."""
    rest = re.sub(r"[\s-]", "", text.lower())
    total = 0.0
    pos = 0
    for m in _DURATION.finditer(rest):
        if m.start() != pos:
            break
        unit = m.group(2)
        key = "ms" if unit.startswith("millisecond") or unit == "ms" else unit[0]
        total += float(m.group(1)) * _UNIT_MS[key]
        pos = m.end()
    if pos != len(rest) or not rest:
        raise ValueError(f"{text.strip()!r} is not a duration: write e.g. 1h, 30m, 90s, 2d, 1h30m or 500ms")
    return int(total)


# -- the local back end -----------------------------------------------------------------------


class LocalBackend:
    """A ``Network`` in this process: a bare aos process, a process file or a manifest's system."""

    def __init__(
        self,
        target: str | None,
        *,
        lua: str,
        profile: str,
        use_builds: bool,
        name: str | None = None,
    ) -> None:
        from harness.errors import HarnessError
        from harness.network import Network

        self.lua = lua
        root = Path.cwd()
        path = Path(target) if target else None
        if path is not None and path.suffix in (".yaml", ".yml"):
            if not path.is_file():
                raise ReplError(f"no manifest at {path}")
            root = path.resolve().parent
        try:
            self.net: Network = Network(lua=lua, profile=profile, root=root, use_builds=use_builds)
            if path is not None and path.suffix in (".yaml", ".yml"):
                system = self.net.spawn_system(path.resolve())
                self.handles: dict[str, Process] = dict(system)
                if not self.handles:
                    raise ReplError(f"{path}: the manifest spawns no process")
            elif target is not None:
                proc = self.net.spawn(target, name=name)
                self.handles = {proc.name: proc}
            else:
                proc = self.net.spawn(name=name)
                self.handles = {proc.name: proc}
        except (HarnessError, OSError, ValueError) as exc:
            raise ReplError(" ".join(str(exc).split())) from None
        self.proc: Process = next(iter(self.handles.values()))

    @property
    def current(self) -> str:
        return self.proc.name

    def describe(self) -> str:
        others = f"; .switch among {', '.join(self.handles)}" if len(self.handles) > 1 else ""
        return (
            f"process {self.proc.name} {self.proc.id} on a local network "
            f"(Lua {self.lua}, profile {self.net.profile.name}){others}"
        )

    @property
    def root(self) -> Path:
        return self.net.root

    def _incoming(self, start: int, skip: object = None) -> list[str]:
        """Outputs of the messages the current process handled in the trace since *start*
        (aos prints the output of every message it did not send as an Eval)."""
        out = []
        for d in self.net.trace[start:]:
            msg, res = d.message, d.result
            if res is None or msg is skip or msg.target != self.proc.id or res.error is not None:
                continue
            if any(k == "Action" and v == "Eval" for k, v in msg.tag_list):
                continue
            text = res.raw_output or ""
            if text:
                out.append(text)
        return out

    def eval(self, code: str) -> EvalReply:
        from harness.errors import HarnessError

        start = len(self.net.trace)
        try:
            res = self.proc.eval(code)
            self.net.run()
        except HarnessError as exc:
            return EvalReply(error=self._stopped(exc), incoming=self._incoming(start))
        reply = EvalReply(output=res.raw_output or "", error=res.raw_error if res.error is not None else None)
        reply.incoming = self._incoming(start, skip=res.message)
        return reply

    def _stopped(self, exc: Exception) -> str:
        """The text for a harness refusal; messages still queued (a storm) are dropped, so the
        next line does not carry the storm on."""
        text = f"harness: {str(exc).strip()}"
        dropped = self.net.drop(lambda m: True)
        if dropped:
            text += f"\n(the {len(dropped)} message(s) still queued were dropped)"
        return text

    def prompt(self) -> str:
        try:
            fn = self.proc._state.globals_table()["Prompt"]
            text = fn() if fn is not None else None
        except Exception:  # a broken Prompt() must not end the session
            text = None
        return text if isinstance(text, str) else f"{self.proc.name}> "

    def names(self, path: list[str]) -> list[str]:
        """String keys of ``_G``, or of the table at the dotted *path* below it."""
        try:
            table: Any = self.proc._state.globals_table()
            for part in path:
                table = table[part]
                if table is None or not hasattr(table, "keys"):
                    return []
            return [k for k in table.keys() if isinstance(k, str)]  # noqa: SIM118 - a Lua table
        except Exception:  # completion never fails the prompt
            return []

    def _all(self) -> dict[str, Process]:
        out = dict(self.handles)
        for pid, proc in self.net.processes.items():
            out.setdefault(self.net.name_of(pid), proc)
        return out

    def switch(self, name: str | None) -> str:
        every = self._all()
        if not name:
            width = max(len(n) for n in every)
            return "\n".join(
                f"{'*' if p is self.proc else ' '} {n.ljust(width)}  {p.id}" for n, p in every.items()
            )
        proc = every.get(name) or next((p for p in every.values() if p.id == name), None)
        if proc is None:
            raise ValueError(f"no process {name!r} here; .switch alone lists them")
        self.proc = proc
        return f"now evaluating in {name} ({proc.id})"

    def advance(self, ms: int) -> tuple[str, list[str]]:
        from harness.errors import HarnessError

        start = len(self.net.trace)
        try:
            ticks = self.net.advance(ms)
            self.net.run()
        except HarnessError as exc:
            raise ValueError(self._stopped(exc)) from None
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.net.now / 1000))
        return f"clock now {when} UTC ({len(ticks)} cron tick(s))", self._incoming(start)

    def poll(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


# -- the remote back end (--connect) ----------------------------------------------------------


def load_wallet(path: Path, *, create: bool) -> Signer:
    """An Arweave JWK wallet from *path*; with *create*, a new one is written there if missing."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from harness.devnet import dataitem

    def num(jwk: dict[str, Any], key: str) -> int:
        value = jwk.get(key)
        if not isinstance(value, str):
            raise ReplError(f"wallet {path}: the JWK has no {key!r} (an Arweave RSA key is needed)")
        try:
            return int.from_bytes(dataitem.b64url_decode(value), "big")
        except ValueError:
            raise ReplError(f"wallet {path}: the JWK's {key!r} is not base64url") from None

    if not path.exists():
        if not create:
            raise ReplError(f"no wallet file at {path}")
        signer = dataitem.Signer.arweave()
        assert isinstance(signer.key, rsa.RSAPrivateKey)
        n = signer.key.private_numbers()

        def enc(i: int) -> str:
            return dataitem.b64url(i.to_bytes((i.bit_length() + 7) // 8, "big"))

        jwk = {"kty": "RSA", "e": enc(n.public_numbers.e), "n": enc(n.public_numbers.n), "d": enc(n.d),
               "p": enc(n.p), "q": enc(n.q), "dp": enc(n.dmp1), "dq": enc(n.dmq1),
               "qi": enc(n.iqmp)}  # fmt: skip
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )  # a key: owner-only from the start
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(jwk, f)
        except OSError as exc:
            raise ReplError(f"cannot write the wallet {path}: {exc.strerror or exc}") from None
        return signer
    try:
        jwk = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReplError(f"wallet {path} is not a readable JWK JSON file ({exc})") from None
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise ReplError(f"wallet {path}: not an Arweave (RSA) JWK")
    public = rsa.RSAPublicNumbers(num(jwk, "e"), num(jwk, "n"))
    if public.n.bit_length() != 4096:
        raise ReplError(
            f"wallet {path}: an Arweave key has a 4096-bit modulus, this one {public.n.bit_length()}"
        )
    private = rsa.RSAPrivateNumbers(
        num(jwk, "p"), num(jwk, "q"), num(jwk, "d"), num(jwk, "dp"), num(jwk, "dq"), num(jwk, "qi"), public
    )
    try:
        key = private.private_key()
    except ValueError as exc:
        raise ReplError(f"wallet {path}: not a valid RSA key ({exc})") from None
    return dataitem.Signer(dataitem.ARWEAVE, key)


class RemoteBackend:
    """A process on a running ``ao-harness serve``: Evals are signed data items posted to its MU,
    results come from its CU (``/result``, ``/results``, ``/dry-run``), as aoconnect does it."""

    def __init__(
        self,
        url: str,
        signer: Callable[[], Signer],
        *,
        lua: str,
        process: str | None,
        name: str,
        module: str,
    ) -> None:
        from harness.devnet import dataitem
        from harness.devnet.server import PORT_OFFSETS

        self.lua = lua
        self.root = Path.cwd()
        parsed = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
        try:
            port = parsed.port or 4000
        except ValueError:
            raise ReplError(f"--connect {url!r}: the port is not a number") from None
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ReplError(f"--connect {url!r}: give the devnet's gateway URL, e.g. http://127.0.0.1:4000")
        host = parsed.hostname if ":" not in parsed.hostname else f"[{parsed.hostname}]"
        self.urls = {unit: f"{parsed.scheme}://{host}:{port + off}" for unit, off in PORT_OFFSETS.items()}
        self.gateway = url
        self.lock = threading.Lock()
        try:
            self._call("GET", self.urls["CU"] + "/")
        except ReplError as exc:
            why = exc.reason if isinstance(exc, Unreachable) else str(exc)
            raise ReplError(
                f"cannot reach an ao-harness serve at {url} (its CU {self.urls['CU']}: {why})"
            ) from None
        self.signer = signer()  # only once the server answered: making a wallet takes a moment
        self.address = dataitem.parse(dataitem.build(self.signer, data="a")).owner
        if process:
            self.pid = process
            try:
                self._call("GET", f"{self.urls['CU']}/results/{process}?sort=DESC&limit=1")
            except ReplError as exc:
                raise ReplError(f"--process {process}: not a process on this devnet ({exc})") from None
        else:
            self.pid = self._spawn(name, module)
        self.name = name if not process else process[:8]
        self.cursor: str | None = self._latest_cursor()
        self._prompt: str | None = None
        #: a line for the user before the first prompt (an attached process this wallet does not own)
        self.warning: str | None = None
        if process and self._dry_eval("return Owner") != self.address:
            self.warning = (
                f"wallet {self.address} does not own process {process}: its Evals from here will not "
                "run (aos puts them in the Inbox)"
            )

    def _call(self, method: str, url: str, body: bytes | None = None, ctype: str | None = None) -> Any:
        headers = {"Content-Type": ctype} if ctype else {}
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
                if "json" in r.headers.get("Content-Type", ""):
                    return json.loads(raw)
                return raw.decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace").strip()
            try:
                doc = json.loads(text)
                text = str(doc.get("error", text)) if isinstance(doc, dict) else text
            except ValueError:
                pass
            first = text.splitlines()[0] if text else e.reason
            raise ReplError(f"HTTP {e.code} from {url.split('?')[0]}: {first}") from None
        except urllib.error.URLError as e:
            reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
            raise Unreachable(f"{url.split('?')[0]}: {reason}", str(reason)) from None
        except (OSError, ValueError) as e:
            raise ReplError(f"{url.split('?')[0]}: {e}") from None

    def _post_item(self, raw: bytes) -> str:
        doc = self._call("POST", self.urls["MU"], raw, "application/octet-stream")
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise ReplError(f"the MU at {self.urls['MU']} answered {doc!r}, not a message id")
        return str(doc["id"])

    def _spawn(self, name: str, module: str) -> str:
        from harness.devnet import dataitem
        from harness.ids import MU_ADDRESS, SCHEDULER

        tags = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
                ("Module", module), ("Scheduler", SCHEDULER), ("Name", name),
                ("Authority", MU_ADDRESS), ("SDK", "ao-harness repl")]  # fmt: skip
        return self._post_item(
            dataitem.build(self.signer, tags=tags, data="1984", anchor=secrets.token_hex(16))
        )

    def _latest_cursor(self) -> str | None:
        doc = self._call("GET", f"{self.urls['CU']}/results/{self.pid}?sort=DESC&limit=1")
        edges = doc.get("edges") if isinstance(doc, dict) else None
        return str(edges[0]["cursor"]) if edges else None

    def _fetch_new(self) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        while True:
            query = "sort=ASC&limit=100" + (f"&from={urllib.parse.quote(self.cursor)}" if self.cursor else "")
            doc = self._call("GET", f"{self.urls['CU']}/results/{self.pid}?{query}")
            edges = doc.get("edges", []) if isinstance(doc, dict) else []
            for e in edges:
                nodes.append(e.get("node", {}))
                self.cursor = str(e.get("cursor"))
            if not edges or not doc.get("pageInfo", {}).get("hasNextPage"):
                return nodes

    @staticmethod
    def _output(doc: dict[str, Any]) -> str:
        out = doc.get("Output")
        data = out.get("data") if isinstance(out, dict) else out
        if isinstance(data, dict):
            data = data.get("output", "")
        return "" if data is None else str(data)

    def _incoming(self, skip: dict[str, Any] | None) -> list[str]:
        texts = []
        for node in self._fetch_new():
            if skip is not None and node == skip:
                skip = None  # the Eval's own entry: printed already
                continue
            if node.get("Error"):
                continue
            text = self._output(node)
            if text:
                texts.append(text)
        return texts

    def eval(self, code: str) -> EvalReply:
        from harness.devnet import dataitem

        item = dataitem.build(
            self.signer,
            target=self.pid,
            anchor=secrets.token_hex(16),
            tags=[("Action", "Eval"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"),
                  ("SDK", "ao-harness repl")],
            data=code,
        )  # fmt: skip
        with self.lock:
            self._prompt = None
            try:
                mid = self._post_item(item)
                doc = self._call("GET", f"{self.urls['CU']}/result/{mid}?process-id={self.pid}")
            except ReplError as exc:
                return EvalReply(error=str(exc))
            if doc.get("Error"):
                return EvalReply(error=str(doc["Error"]), incoming=self._incoming(None))
            return EvalReply(output=self._output(doc), incoming=self._incoming(doc))

    def _dry_eval(self, code: str) -> str | None:
        body = {"Id": "1234", "Target": self.pid, "Owner": self.address, "Anchor": "0", "Data": code,
                "Tags": [{"name": "Action", "value": "Eval"}, {"name": "Data-Protocol", "value": "ao"},
                         {"name": "Type", "value": "Message"},
                         {"name": "Variant", "value": "ao.TN.1"}]}  # fmt: skip
        try:
            doc = self._call(
                "POST", f"{self.urls['CU']}/dry-run?process-id={self.pid}", json.dumps(body).encode(),
                "application/json",
            )  # fmt: skip
        except ReplError:
            return None
        if not isinstance(doc, dict) or doc.get("Error"):
            return None
        return self._output(doc)

    @property
    def current(self) -> str:
        return self.name

    def describe(self) -> str:
        return f"process {self.pid} on {self.gateway}, wallet {self.address}"

    def prompt(self) -> str:
        if self._prompt is None:
            self._prompt = self._dry_eval("return Prompt()") or f"{self.name}> "
        return self._prompt

    def names(self, path: list[str]) -> list[str]:
        if not all(_IDENT.match(p) for p in path):
            return []
        walk = "".join(f"if type(t) ~= 'table' then return '' end t = t[{json.dumps(p)}] " for p in path)
        code = (
            f"local t = _G {walk}if type(t) ~= 'table' then return '' end "
            "local out = {} for k in next, t do if type(k) == 'string' then out[#out + 1] = k end end "
            "return table.concat(out, ' ')"
        )
        text = self._dry_eval(code)
        return text.split() if text else []

    def switch(self, name: str | None) -> str:
        raise ValueError("--connect drives one process; start another repl with --process ID for another")

    def advance(self, ms: int) -> tuple[str, list[str]]:
        with self.lock:
            self._prompt = None
            try:
                doc = self._call(
                    "POST", self.urls["gateway"] + "/~harness/advance", json.dumps({"ms": ms}).encode(),
                    "application/json",
                )  # fmt: skip
            except ReplError as exc:
                raise ValueError(str(exc)) from None
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(doc.get("now", 0)) / 1000))
            return f"clock now {when} UTC ({doc.get('deliveries', 0)} deliveries)", self._incoming(None)

    def poll(self) -> list[str]:
        """New outputs of the process since the last look (the background watcher calls this)."""
        if not self.lock.acquire(blocking=False):
            return []
        try:
            texts = self._incoming(None)
        except ReplError:
            return []
        finally:
            self.lock.release()
        if texts:
            self._prompt = None
        return texts

    def close(self) -> None:
        pass


# -- the prompt -------------------------------------------------------------------------------


class Repl:
    """The read-eval-print loop over a back end (input and output streams are parameters)."""

    def __init__(
        self,
        backend: Backend,
        *,
        out: TextIO | None = None,
        color: bool = True,
        history: Path | None = None,
        interactive: bool = True,
        watch: float = 0.0,
    ) -> None:
        self.backend = backend
        self.out = out if out is not None else sys.stdout
        self.color = color
        self.history = history
        self.interactive = interactive
        self.watch = watch
        self.readline: Any = None
        self.loaded: dict[int, tuple[str, int]] | None = None
        self._print_lock = threading.Lock()
        self._stop = threading.Event()
        self._reading = False

    # output ---------------------------------------------------------------------------------

    def show(self, text: str) -> None:
        if not self.color:
            text = _ANSI.sub("", text)
        with self._print_lock:
            self.out.write(text + "\n")
            self.out.flush()

    def _style(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def show_error(self, err: str, code: str) -> None:
        """An Eval's error as the aos client shows it: the message, then the line it names in
        the code sent (or, after ``.load``, in the file it came from)."""
        plain = _ANSI.sub("", err).strip()
        found = list(_AOS_LINE.finditer(plain))
        if not found:
            self.show(self._style("31", plain))
            return
        m = found[-1]
        line = int(m.group(1))
        message = plain[m.end() :].strip()
        where = ""
        source = code.splitlines()[line - 1] if 0 < line <= len(code.splitlines()) else ""
        shown = line
        if self.loaded is not None and line in self.loaded:
            file, shown = self.loaded[line]
            where = file
            try:
                lines = (self.backend.root / file).read_text(encoding="utf-8").splitlines()
                source = lines[shown - 1] if 0 < shown <= len(lines) else source
            except OSError:
                pass
        pad = " " * len(str(shown))
        parts = ["", self._style("1", message), ""]
        if where:
            parts.append(self._style("2", f"  error in {where}"))
        parts.append(self._style("94", f"  {pad} |"))
        parts.append(self._style("94", f"  {shown} | ") + source)
        parts.append(self._style("94", f"  {pad} |"))
        self.show("\n".join(parts))

    def show_reply(self, reply: EvalReply, code: str) -> None:
        if reply.error is not None:
            self.show_error(reply.error, code)
        elif reply.output:
            self.show(reply.output)
        for text in reply.incoming:
            self.show(text)

    # input ----------------------------------------------------------------------------------

    def _setup_readline(self) -> None:
        try:
            import readline
        except ImportError:  # pragma: no cover - platforms without readline
            return
        self.readline = readline
        if self.history is not None:
            with contextlib.suppress(OSError):
                readline.read_history_file(str(self.history))
            readline.set_history_length(HISTORY_LENGTH)
        readline.set_completer_delims(" \t\n()[]{},;=+-*/%^#<>~\"'")
        readline.set_completer(self.complete)
        if "libedit" in (readline.__doc__ or ""):  # pragma: no cover - macOS
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")

    def _save_history(self) -> None:
        if self.readline is None or self.history is None:
            return
        try:
            self.history.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(str(self.history))
        except OSError as exc:
            self.show(f"ao-harness repl: history not saved to {self.history}: {exc.strerror or exc}")

    def complete(self, text: str, state: int) -> str | None:
        if state == 0:
            self._matches = self._candidates(text)
        return self._matches[state] if state < len(self._matches) else None

    def _candidates(self, text: str) -> list[str]:
        line = self.readline.get_line_buffer() if self.readline else text
        if line.lstrip().startswith(".") and " " not in line.strip():
            return sorted(c.split()[0] for c in COMMANDS if c.startswith(text))
        if line.lstrip().startswith(".load "):
            return _complete_path(line.lstrip()[len(".load ") :], text)
        head, sep, part = max(text.rpartition("."), text.rpartition(":"), key=lambda t: len(t[0]))
        path = head.replace(":", ".").split(".") if sep else []
        keys = self.backend.names(path)
        return sorted(f"{head}{sep}{k}" for k in set(keys) if k.startswith(part) and _IDENT.match(k))

    def _prompt_text(self, prompt: str) -> str:
        if not self.color:
            prompt = _ANSI.sub("", prompt)
        if self.readline is not None:
            prompt = _ANSI.sub(lambda m: f"\x01{m.group(0)}\x02", prompt)
        return prompt

    def read(self, prompt: str) -> str:
        shown = self._prompt_text(prompt)
        self._reading = True
        try:
            return input(shown)
        finally:
            self._reading = False

    def _watcher(self) -> None:
        while not self._stop.wait(self.watch):
            texts = self.backend.poll()
            if not texts:
                continue
            with self._print_lock:
                body = "\n".join(_ANSI.sub("", t) if not self.color else t for t in texts)
                if self._reading:
                    buf = self.readline.get_line_buffer() if self.readline else ""
                    prompt = self._prompt_text(self.backend.prompt()).replace("\x01", "").replace("\x02", "")
                    self.out.write(f"\r\x1b[2K{body}\n{prompt}{buf}")
                else:
                    self.out.write(body + "\n")
                self.out.flush()

    # the loop -------------------------------------------------------------------------------

    def run(self) -> int:
        if self.interactive:
            self._setup_readline()
        if self.watch > 0:
            threading.Thread(target=self._watcher, daemon=True).start()
        self.show(f"ao-harness repl: {self.backend.describe()}")
        self.show(
            self._style("90", "Lua lines are Evals from the owner; .help lists the commands, .exit leaves")
        )
        try:
            return self._loop()
        finally:
            self._stop.set()
            self._save_history()
            self.backend.close()

    def _loop(self) -> int:
        pending: list[str] = []
        while True:
            try:
                line = self.read(self.backend.prompt() if not pending else "... ")
            except EOFError:
                self.show("")
                return 0
            except KeyboardInterrupt:
                self.show("^C" if not pending else "(chunk dropped)")
                pending = []
                continue
            stripped = line.strip()
            if not pending and stripped.startswith("."):
                if self.command(stripped):
                    return 0
                continue
            if not pending and not stripped:
                continue
            if pending and stripped == ".cancel":
                pending = []
                continue
            pending.append(line)
            code = "\n".join(pending)
            if self.unfinished(code):
                continue
            pending = []
            self.loaded = None
            self.evaluate(code)

    def unfinished(self, code: str) -> bool:
        """Lua says the chunk ends too early ("... near <eof>") as both an expression and a chunk."""
        from harness import chunks

        comp = chunks.compiler(self.backend.lua)
        if comp.compile(code, "=aos", as_expression=True).bytecode is not None:
            return False
        err = comp.compile(code, "=aos").error
        return err is not None and "<eof>" in err

    def evaluate(self, code: str) -> None:
        self.show_reply(self.backend.eval(code), code)

    def command(self, text: str) -> bool:
        """Run a dot-command; True means leave."""
        word, _, arg = text.partition(" ")
        arg = arg.strip()
        if word == ".exit":
            return True
        if word == ".help":
            width = max(len(c) for c in COMMANDS)
            self.show("\n".join(f"  {c.ljust(width)}  {h}" for c, h in COMMANDS.items()))
            self.show(
                "  Anything else is Lua, sent as an Eval; an unfinished chunk continues on the next line."
            )
            return False
        try:
            if word == ".load":
                self.load(arg)
            elif word == ".editor":
                self.editor()
            elif word == ".switch":
                self.show(self.backend.switch(arg or None))
            elif word == ".advance":
                if not arg:
                    raise ValueError(".advance wants a duration, e.g. .advance 1h")
                summary, incoming = self.backend.advance(parse_duration(arg))
                for t in incoming:
                    self.show(t)
                self.show(self._style("90", summary))
            elif word == ".cancel":
                pass
            else:
                self.show(self._style("31", f"unknown command {word}; .help lists the commands"))
        except (ValueError, ReplError) as exc:
            self.show(self._style("31", str(exc)))
        return False

    def load(self, arg: str) -> None:
        from harness.bundle import BundleError, bundle, source_map

        if not arg:
            raise ValueError(".load wants a file, e.g. .load process.lua")
        path = Path(os.path.expanduser(arg))
        if not path.is_file():
            raise ValueError(f".load: no file {path}")
        try:
            built = bundle(path, self.backend.root)
        except (BundleError, OSError, UnicodeDecodeError) as exc:
            raise ValueError(f".load: {exc}") from None
        self.show(self._style("32", f"Loading... {arg}"))
        for name in built.modules:
            self.show(self._style("90", f"  with module {name}"))
        mapping = source_map(built.text)
        self.loaded = mapping
        reply = self.backend.eval(built.text)
        self.show_reply(reply, built.text)
        self.loaded = None

    def editor(self) -> None:
        self.show(self._style("90", "<editor mode> .done sends the chunk, .cancel drops it"))
        lines: list[str] = []
        while True:
            try:
                line = self.read("")
            except (EOFError, KeyboardInterrupt):
                self.show("(chunk dropped)")
                return
            if line.strip() == ".done":
                break
            if line.strip() == ".cancel":
                return
            lines.append(line)
        if lines:
            self.evaluate("\n".join(lines))


def _complete_path(arg: str, text: str) -> list[str]:
    """File names that complete *arg*, as replacements of its last word *text* (readline
    replaces only the text after the last delimiter, and ``/`` is one)."""
    base = Path(os.path.expanduser(arg or "."))
    folder, stem = (base, "") if arg.endswith("/") or not arg else (base.parent, base.name)
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    cut = len(arg) - len(text)
    out = []
    for entry in entries:
        if not entry.name.startswith(stem) or (entry.name.startswith(".") and not stem.startswith(".")):
            continue
        full = arg[: len(arg) - len(stem)] + entry.name + ("/" if entry.is_dir() else "")
        out.append(full[cut:])
    return out


# -- the command ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", nargs="?", help="an aoform.yaml (its system), a process file, or nothing (bare aos)"
    )
    parser.add_argument(
        "--connect", metavar="URL", help="drive a running `ao-harness serve` at its gateway URL"
    )
    parser.add_argument("--wallet", metavar="FILE", help=f"with --connect: Arweave JWK to sign with "
                        f"(default {DEFAULT_WALLET}, created if missing)")  # fmt: skip
    parser.add_argument(
        "--process", metavar="ID", help="with --connect: use this process instead of spawning one"
    )
    parser.add_argument("--name", help="the Name of the process spawned (default: the file's, or 'aos')")
    parser.add_argument("--lua", default="5.3", help="Lua version (default 5.3, AO's)")
    parser.add_argument("--profile", default="default", help="aos profile (default, legacy, head)")
    parser.add_argument("--builds", action="store_true", help="load the bundled build/ files instead of src/")
    parser.add_argument(
        "--history", default=DEFAULT_HISTORY, help=f"history file (default {DEFAULT_HISTORY}; '' for none)"
    )
    parser.add_argument("--watch", type=float, default=1.0, metavar="SECONDS",
                        help="with --connect: look for new messages this often "
                        "(default 1; 0: only after input)")  # fmt: skip
    parser.add_argument("--no-color", action="store_true", help="no ANSI colours (also when NO_COLOR is set)")


def main(args: argparse.Namespace) -> int:
    """``ao-harness repl``: returns the exit status (2 for bad input, with one line on stderr)."""
    try:
        backend = _backend(args)
    except ReplError as exc:
        print(f"ao-harness repl: {exc}", file=sys.stderr)
        return 2
    color = not args.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    history = Path(os.path.expanduser(args.history)) if args.history else None
    repl = Repl(
        backend,
        color=color,
        history=history,
        interactive=sys.stdin.isatty(),
        watch=args.watch if args.connect else 0.0,
    )
    try:
        return repl.run()
    except KeyboardInterrupt:
        return 130


def _backend(args: argparse.Namespace) -> Backend:
    from harness.lua_versions import normalise
    from harness.profiles import get_profile

    try:
        lua = normalise(args.lua)
    except ValueError as exc:
        raise ReplError(f"--lua: {exc}") from None
    if args.connect:
        target = args.target
        if target and Path(target).suffix in (".yaml", ".yml"):
            raise ReplError(
                f"--connect: give {target} to `ao-harness serve`; the REPL then attaches with --process ID"
            )
        if target and not Path(target).is_file():
            raise ReplError(f"no Lua file at {target}")
        if args.process and target:
            raise ReplError("--process attaches to an existing process; it takes no file (use .load FILE)")
        wallet = Path(os.path.expanduser(args.wallet or DEFAULT_WALLET))
        try:
            module = get_profile(args.profile).module  # serve maps the module id back to the profile
        except ValueError as exc:
            raise ReplError(f"--profile: {exc}") from None
        name = args.name or (Path(target).stem if target else "aos")
        remote = RemoteBackend(
            args.connect,
            lambda: load_wallet(wallet, create=args.wallet is None),
            lua=lua,
            process=args.process,
            name=name,
            module=module,
        )
        if target:
            _load_remote(remote, Path(target))
        if remote.warning:
            print(f"ao-harness repl: warning: {remote.warning}", file=sys.stderr)
        return remote
    if args.process or args.wallet:
        raise ReplError("--process and --wallet go with --connect URL")
    if args.target and not Path(args.target).exists() and Path(args.target).suffix:
        raise ReplError(f"no file {args.target}")
    return LocalBackend(args.target, lua=lua, profile=args.profile, use_builds=args.builds, name=args.name)


def _load_remote(remote: RemoteBackend, path: Path) -> None:
    """Load the process file into a freshly spawned remote process (bundled, as `.load` does)."""
    from harness.bundle import BundleError, bundle

    try:
        text = bundle(path, Path.cwd()).text
    except (BundleError, OSError, UnicodeDecodeError) as exc:
        raise ReplError(f"{path}: {exc}") from None
    reply = remote.eval(text)
    if reply.error is not None:
        raise ReplError(f"{path} failed to load: {_ANSI.sub('', reply.error).strip().splitlines()[-1]}")
