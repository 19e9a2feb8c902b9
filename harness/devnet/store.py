"""The devnet's durable log: an embedded SQLite database under the data directory.

Every input the network accepted is one row of ``log``, in acceptance order, committed before
the MU answers: signed spawn and message items (their raw bytes), assignments, clock advances
that delivered cron ticks, and the start-up manifest.  On restart the network is rebuilt by
replaying the rows in order, as a CU rebuilds a process from its scheduler's log.

``DataDirLock`` keeps a second server off the same directory (an advisory ``flock`` that the
kernel drops when the holder dies, even by ``kill -9``).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import DataDirBusy  # defined in harness.errors; importable from here too

SCHEMA_VERSION = 1


class DataDirLock:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirBusy(
                f"the data directory {self.path.parent} is in use by another ao-harness serve "
                f"(pid {holder}); stop it or pass another --data"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class Record:
    """One accepted input: ``kind`` is spawn, message, assign, tick or system."""

    seq: int
    kind: str
    time: int
    process: str | None
    item_id: str | None
    raw: bytes | None
    extra: dict[str, Any]


class Store:
    """The SQLite log (thread-safe: one connection behind a lock)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "devnet.sqlite"
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
            "time INTEGER NOT NULL, process TEXT, item_id TEXT, raw BLOB, extra TEXT NOT NULL)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        version = self.meta("schema")
        if version is None:
            self.set_meta("schema", str(SCHEMA_VERSION))
        elif version != str(SCHEMA_VERSION):
            raise RuntimeError(
                f"{self.path} was written by another ao-harness version (schema {version}, this one "
                f"reads {SCHEMA_VERSION}); use another --data"
            )

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def append(
        self,
        kind: str,
        time: int,
        *,
        process: str | None = None,
        item_id: str | None = None,
        raw: bytes | None = None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Write one record and commit it (autocommit) before returning its sequence number."""
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO log (kind, time, process, item_id, raw, extra) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, time, process, item_id, raw, json.dumps(extra or {})),
            )
            return int(cur.lastrowid or 0)

    def records(self) -> Iterator[Record]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, time, process, item_id, raw, extra FROM log ORDER BY seq"
            ).fetchall()
        for seq, kind, time, process, item_id, raw, extra in rows:
            yield Record(seq, kind, time, process, item_id, raw, json.loads(extra))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM log").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
